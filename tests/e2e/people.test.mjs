// Browser tests of the people pages on the Sussex ICS demo: the chief people
// officer over RXC filters and pages the staff list, opens a person (no
// protected characteristics) and downloads their subject access export; the
// equality analyst over RXC opens the same person and sees them.  axe on
// every page visited (helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const CPO = 'chief_people_officer@demo.cadre.test';
const ANALYST = 'equality_analyst@demo.cadre.test';

// count: the number in "N posts match".
async function count(page) {
  const text = await page.locator('#people-count').innerText();
  const m = text.match(/^([\d]+) posts? match/);
  assert.ok(m, `a count of matches, got ${text}`);
  return Number(m[1]);
}

let personPath = null;

test('the staff list: filter, page, open a person, export their data', async () => {
  const b = await browser({ acceptDownloads: true });
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, CPO, PASSWORD);
    await visit(page, '/people');
    assert.match(await page.locator('h1').innerText(), /People/);
    assert.match(await page.locator('h1').innerText(), /RXC/);
    const all = await count(page);
    assert.ok(all > 1000, `RXC has thousands of posts in the demo, got ${all}`);
    assert.equal(await page.locator('table.nhsuk-table tbody tr').count(), 50);

    // filter to registered nurses
    await page.getByText('Filter and sort').click();
    await page.getByLabel('Staff group').fill('NURSE_HV');
    await page.getByLabel('Sort by').selectOption('staff_ref');
    await Promise.all([page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Apply filters' }).click()]);
    await accessible(page);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('staff_group'), 'NURSE_HV');
    const nurses = await count(page);
    assert.ok(nurses > 50 && nurses < all, `fewer nurses (${nurses}) than posts (${all})`);
    const groups = await page.locator('table.nhsuk-table tbody tr td:nth-child(7)').allInnerTexts();
    assert.ok(groups.length > 0 && groups.every((g) => g.trim() === 'NURSE_HV'), 'every row a nurse');
    const refs1 = await page.locator('table.nhsuk-table tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual([...refs1].sort(), refs1, 'sorted by staff reference');

    // the next page: other rows, the same filter
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: /Next/ }).click()]);
    await accessible(page);
    const url2 = new URL(page.url());
    assert.equal(url2.searchParams.get('page'), '2');
    assert.equal(url2.searchParams.get('staff_group'), 'NURSE_HV');
    assert.equal(await count(page), nurses);
    const refs2 = await page.locator('table.nhsuk-table tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(refs2[0] >= refs1[refs1.length - 1], 'page 2 follows page 1');
    assert.ok(await page.getByRole('link', { name: /Previous/ }).count() === 1);

    // a bad filter: the error summary names the field
    await visit(page, '/people?on=31-03-2025');
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.nhsuk-error-summary').innerText(), /YYYY-MM-DD/);

    // open a person from the list
    await visit(page, '/people?staff_group=NURSE_HV');
    const first = page.locator('table.nhsuk-table tbody tr th a').first();
    const name = (await first.innerText()).trim();
    await Promise.all([page.waitForLoadState('load'), first.click()]);
    await accessible(page);
    personPath = new URL(page.url()).pathname;
    assert.match(personPath, /^\/people\/\d+$/);
    assert.equal((await page.locator('h1').innerText()).trim(), name);
    const main = await page.locator('main').innerText();
    assert.match(main, /Current posts/);
    assert.match(main, /Grade history/);
    assert.match(main, /recorded in the audit trail/);
    assert.equal(await page.locator('#person-protected').count(), 0, 'no protected characteristics');
    assert.match(main, /Not shown: protected characteristics/);
    assert.doesNotMatch(main, /Ethnic category/);

    // the subject access export, as a download
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: "Export this person's data" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^cadre-subject-access-\d+\.json$/);
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(data.format, 'cadre-subject-access-v1');
    assert.equal(data.record.name, name);
    assert.ok(data.record.assignments.length >= 1);
    assert.ok(data.record.protected && data.record.protected.ethnic_category,
      'the person\'s own export holds their protected characteristics');
    assert.ok(data.audit_entries.some((e) => e.action === 'people.read'),
      'the export lists the reads of the record, this one included');
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
});

test('the equality analyst sees protected characteristics', async () => {
  assert.ok(personPath, 'the first test found a person');
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, ANALYST, PASSWORD);
    await visit(page, personPath);
    const prot = await page.locator('#person-protected').innerText();
    assert.match(prot, /Ethnic category/);
    assert.match(prot, /Year of birth/);
    assert.match(prot, /age band/);
    assert.equal(await page.getByRole('button', { name: "Export this person's data" }).count(), 0,
      'equality analysts do not run subject access exports');
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
});
