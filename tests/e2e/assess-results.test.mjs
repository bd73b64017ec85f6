// Browser tests of a self-assessment round's results (issue 8): an ICS lead
// compares the ICB's trusts side by side; a trust's chief people officer
// reads its results with the radar chart and its table, adds an action
// (first with errors), opens the board summary and downloads the CSV; the
// trust's own benchmark names no other trust.  axe on every page.
// The demo (scripts/test-browser) seeds rounds for RXC RYR RPC RX2 RDR RYD
// and QNX over 2024/25 and 2025/26: RXC's 2025/26 round is round 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const TRUSTS = ['RXC', 'RYR', 'RPC', 'RX2', 'RDR', 'RYD'];

test('the ICS lead compares the ICB\'s trusts side by side', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, 'ics_lead@demo.cadre.test', PASSWORD);
    const r = await visit(page, '/assess/benchmark/QNX?period=2025/26');
    assert.equal(r.status(), 200);
    assert.match(await page.locator('h1').innerText(), /Peer benchmark: NHS Sussex ICB, 2025\/26/);
    const side = page.locator('table', { hasText: 'Factor scores of each organisation' });
    const rows = side.locator('tbody tr');
    assert.ok(await rows.count() >= 5, 'five or more trusts side by side');
    const text = await side.innerText();
    for (const code of TRUSTS) assert.match(text, new RegExp(`\\(${code}\\)`), `${code} is listed`);
    const dist = page.locator('table', { hasText: 'Distribution of the organisations' });
    assert.match(await dist.innerText(), /Median/);
    assert.deepEqual(b.messages, []);
  } finally {
    await b.close();
  }
});

test('the chief people officer reads RXC\'s results, plans an action, prints and downloads', async () => {
  const b = await browser({ acceptDownloads: true });
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, 'chief_people_officer@demo.cadre.test', PASSWORD);
    await visit(page, '/assess/rounds/2/results');
    assert.match(await page.locator('h1').innerText(), /Results: EAST SUSSEX HEALTHCARE NHS TRUST, 2025\/26/);
    // the radar chart, drawn, with its data table beside it
    const svg = page.locator('svg.radar-chart');
    assert.equal(await svg.count(), 1);
    assert.ok((await svg.boundingBox()).width > 100, 'the chart is drawn');
    assert.equal(await svg.locator('g.radar-series').count(), 2, 'this round and the previous one');
    const data = page.locator('table', { hasText: 'data for the chart' });
    assert.match(await data.innerText(), /Leadership\s+\d\.\d\d\s+\d\.\d\d/);
    assert.match(await page.locator('main').innerText(), /Improvement areas/);
    assert.match(await page.locator('main').innerText(), /Respondents by group/);

    // the action plan: a form with errors, then an action added
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Action plan' }).click()]);
    await accessible(page);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add action' }).click()]);
    await accessible(page);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /Enter the action/);
    await page.getByLabel('Factor').selectOption('strategy');
    await page.getByLabel('Action', { exact: true }).fill('Tie each service plan to its workforce plan (e2e)');
    await page.getByLabel('Owner').fill('Director of Strategy');
    await page.getByLabel('Due date').fill('2027-03-31');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add action' }).click()]);
    await accessible(page);
    assert.match(await page.locator('main').innerText(), /The action has been added to the plan/);
    assert.match(await page.locator('main').innerText(), /Tie each service plan to its workforce plan \(e2e\)/);

    // the board summary, printable
    await visit(page, '/assess/rounds/2/summary');
    assert.match(await page.locator('main').innerText(), /Tie each service plan to its workforce plan \(e2e\)/);
    // printed, the summary's tables are still there (nhsuk-frontend's print
    // styles; axe runs on screen media: under print media it flags the
    // layout's header service name, which is the layout's, not this page's)
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('table', { hasText: 'Scores by factor' }).isVisible());
    await page.emulateMedia({ media: 'screen' });

    // the CSV download
    await visit(page, '/assess/rounds/2/results');
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the results (CSV)' }).click()]);
    assert.equal(download.suggestedFilename(), 'assess-RXC-2025-26-wfp-five-factor.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\uFEFForg_code,period,toolkit_id'), 'a byte-order mark, then the header');
    assert.match(csv, /\r\nRXC,2025\/26,wfp-five-factor,1,overall,/);

    // its own benchmark: against the ICB and region, no other trust named
    await visit(page, '/assess/benchmark/RXC?period=2025/26');
    const html = await page.content();
    for (const code of TRUSTS.filter((c) => c !== 'RXC')) assert.ok(!html.includes(code), `${code} absent`);
    assert.match(await page.locator('main').innerText(), /anonymised/);

    await visit(page, '/assess/good-practice');
    assert.deepEqual(b.messages, []);
  } finally {
    await b.close();
  }
});
