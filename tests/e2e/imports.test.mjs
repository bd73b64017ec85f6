// Browser test: imports from the browser.  A workforce planner of East
// Sussex (RXC) uploads an establishment file with errors, sees each at its
// line and column, uploads the corrected file, commits it (once: a second
// submit is told it was already committed), sees it in the import history
// and the figure change; a 2 GB upload is refused before it is sent.  Axe
// on every page (helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { BASE, DB, PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const PLANNER = 'workforce_planner@demo.cadre.test';
const HEADER = 'org_code,cost_centre_code,month,staff_group,grade,budget_wte,budget_gbp';
// months the demo does not hold, so the import replaces nothing of it
const MONTHS = ['2030-01', '2030-02'];

function sql(q) {
  return execFileSync('sqlite3', [DB, q]).toString().trim();
}

// funded WTE held for RXC in the test's months (the figure the import changes)
function funded() {
  return Number(sql("SELECT COALESCE(SUM(e.budget_wte), 0) FROM establishment e JOIN org o ON o.id = e.org_id "
    + "WHERE o.code = 'RXC' AND e.month IN (203001, 203002)"));
}

// waitFor: reload the upload's page until its state reads want (the page
// also refreshes itself while the job runs); then check it.
async function waitFor(page, want) {
  for (let i = 0; i < 120; i++) {
    const state = await page.locator('.nhsuk-summary-list__row').first().innerText().catch(() => '');
    if (want.test(state)) {
      await accessible(page);
      return;
    }
    await page.waitForTimeout(500);
    await page.reload({ waitUntil: 'load' }).catch(() => {});
  }
  assert.fail(`the upload never reached ${want}: ${await page.locator('main').innerText()}`);
}

async function upload(page, name, text) {
  await visit(page, '/imports');
  await page.getByLabel('Kind of file').selectOption('establishment');
  await page.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.getByRole('button', { name: 'Upload and check' }).click()]);
  return new URL(page.url()).pathname;
}

test('upload with errors, correct, commit once, see it in the history and the figure change', async () => {
  // a cost centre, staff group and grade of RXC's demo establishment
  const [cc, group, grade] = sql("SELECT c.code, e.staff_group, e.grade FROM establishment e "
    + "JOIN cost_centre c ON c.id = e.cost_centre_id JOIN org o ON o.id = e.org_id "
    + "WHERE o.code = 'RXC' ORDER BY c.code LIMIT 1").split('|');
  assert.ok(cc && group && grade, 'the demo holds an establishment for RXC');
  const good = [HEADER, `RXC,${cc},${MONTHS[0]},${group},${grade},12.50,50000.00`,
    `RXC,${cc},${MONTHS[1]},${group},${grade},12.50,50000.00`].join('\n') + '\n';
  // line 2: a WTE that is no number (column 4 + the lengths before it);
  // line 3: a grade that is no grade
  const bad = [HEADER, `RXC,${cc},${MONTHS[0]},${group},${grade},lots,50000.00`,
    `RXC,${cc},${MONTHS[1]},${group},BAND9,12.50,50000.00`].join('\n') + '\n';
  const wteCol = `RXC,${cc},${MONTHS[0]},${group},${grade},`.length + 1;
  const gradeCol = `RXC,${cc},${MONTHS[1]},${group},`.length + 1;
  const before = funded();

  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in?next=/imports');
    await signIn(page, PLANNER, PASSWORD);
    await visit(page, '/imports');
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor());

    // a file in the wrong format is refused at once, naming the column
    await page.getByLabel('Kind of file').selectOption('establishment');
    await page.getByLabel('CSV file').setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv',
      buffer: Buffer.from('org_code,cost_centre,month\nRXC,X,2030-01\n') });
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Upload and check' }).click()]);
    await accessible(page);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /column 2: the header names 'cost_centre'/);

    // the file with errors: each at its line and column, no commit
    const badPath = await upload(page, 'establishment-bad.csv', bad);
    await waitFor(page, /Has problems/);
    const problems = await page.locator('table').innerText();
    assert.match(problems, new RegExp(`\\b2\\s+${wteCol}\\b`), `line 2, column ${wteCol}: ${problems}`);
    assert.match(problems, new RegExp(`\\b3\\s+${gradeCol}\\b`), `line 3, column ${gradeCol}: ${problems}`);
    assert.equal(await page.getByRole('button', { name: /Commit/ }).count(), 0);
    assert.equal(funded(), before, 'checking wrote nothing');

    // the corrected file: valid, then committed
    const goodPath = await upload(page, 'establishment-good.csv', good);
    assert.notEqual(goodPath, badPath);
    await waitFor(page, /Ready to commit/);
    const token = await page.locator('form[action$="/commit"] input[name="csrf_token"]').getAttribute('value');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /Commit/ }).click()]);
    await waitFor(page, /Imported/);
    assert.match(await page.locator('main').innerText(), /2 rows of 1 organisation/);
    assert.equal(funded(), before + 25, 'the committed file adds 2 x 12.50 WTE');

    // a double submit of the commit: told, nothing imported twice
    const again = await page.request.post(BASE + goodPath + '/commit', { form: { csrf_token: token }, maxRedirects: 0 });
    assert.equal(again.status(), 303);
    await visit(page, new URL(again.headers().location, BASE).pathname + new URL(again.headers().location, BASE).search);
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /already committed/);
    assert.equal(funded(), before + 25, 'nothing imported twice');

    // the history: who loaded what, and its outcome
    await visit(page, '/imports');
    const history = await page.locator('table').innerText();
    assert.match(history, /establishment-good\.csv[^\n]*Imported/);
    assert.match(history, /establishment-bad\.csv[^\n]*Has problems/);

    // discard the invalid one
    await visit(page, badPath);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Discard' }).click()]);
    await accessible(page);
    assert.match(await page.locator('.nhsuk-summary-list').innerText(), /Discarded/);
  } finally {
    await b.close();
  }
});

test('a 2 GB upload is refused from its Content-Length, before it is sent', async () => {
  const { hostname, port } = new URL(BASE);
  const reply = await new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => {
      s.write('POST /api/v1/imports?kind=establishment HTTP/1.1\r\nHost: cadre.test\r\n'
        + 'Content-Type: text/csv\r\nContent-Length: 2147483648\r\n\r\n');
    });
    let got = '';
    s.setTimeout(10000, () => { s.destroy(); reject(new Error('no answer in 10 s')); });
    s.on('data', (d) => { got += d.toString(); if (got.includes('\r\n\r\n')) { s.destroy(); resolve(got); } });
    s.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 413 /);
});
