// Browser tests of the organisation browser on the Sussex ICS demo
// (scripts/test-browser).  The demo administrator (over England) clicks
// England -> South East -> NHS Sussex ICB -> East Sussex Healthcare -> a
// division -> a ward and sees the hierarchy without workforce figures (its
// role has none); the demo chief people officer (over RXC) is sent from
// /orgs to the trust, clicks down to a ward and reads its figures, SPC
// charts and their data tables, then the trust's data quality and the rows
// behind a count, paged.  axe on every page (helpers.mjs).  The whole file
// must finish within test-browser's 120 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const ADMIN = 'administrator@demo.cadre.test';
const CPO = 'chief_people_officer@demo.cadre.test';

// follow: click the link named name (the first) and check the page.
async function follow(page, name) {
  await Promise.all([page.waitForLoadState('load'),
    page.getByRole('link', typeof name === 'string' ? { name, exact: true } : { name }).first().click()]);
  await accessible(page);
}

test('an administrator browses England down to a ward: the hierarchy, no workforce figures', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, ADMIN, PASSWORD);
    await visit(page, '/orgs');
    assert.equal(await page.locator('h1').innerText(), 'England');
    for (const name of ['South East', 'NHS Sussex ICB', 'EAST SUSSEX HEALTHCARE NHS TRUST',
      'Medicine and Urgent Care']) {
      await follow(page, name);
      assert.equal(await page.locator('h1').innerText(), name);
    }
    await follow(page, 'Elderly Care');
    assert.equal(new URL(page.url()).pathname, '/orgs/RXCW001');
    assert.match(await page.locator('main').innerText(),
      /Your role does not include workforce figures for this organisation/);
    assert.equal(await page.getByText('Headcount (people)').count(), 0);
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
});

test('a trust\'s chief people officer: /orgs opens the trust; a ward\'s figures, charts and tables; data quality rows, paged', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, CPO, PASSWORD);
    await visit(page, '/orgs');
    assert.equal(new URL(page.url()).pathname, '/orgs/RXC');
    assert.equal(await page.locator('h1').innerText(), 'EAST SUSSEX HEALTHCARE NHS TRUST');
    const main = page.locator('main');
    assert.match(await main.innerText(), /Headcount \(people\)/);
    await follow(page, 'Medicine and Urgent Care');
    // the division's children: its wards and teams; open a ward
    const ward = page.locator('tr').filter({ has: page.locator('td', { hasText: /^Ward$/ }) })
      .getByRole('link').first();
    const wardName = await ward.innerText();
    await Promise.all([page.waitForLoadState('load'), ward.click()]);
    await accessible(page);
    assert.equal(await page.locator('h1').innerText(), wardName);
    assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), /Ward/);
    const texts = await page.locator('.nhsuk-breadcrumb__link').allInnerTexts();
    for (const name of ['England', 'South East', 'NHS Sussex ICB', 'EAST SUSSEX HEALTHCARE NHS TRUST',
      'Medicine and Urgent Care']) assert.ok(texts.includes(name), `breadcrumb ${name}`);

    // the figures and the trends: each chart with its data table
    assert.match(await main.innerText(), /Vacancies against funded establishment/);
    assert.match(await main.innerText(), /Bank and agency use/);
    assert.equal(await page.getByRole('table', { name: /Staff in post by staff group/ }).count(), 1);
    assert.ok(await page.locator('svg[role="img"]').count() >= 2, 'the trend charts');
    const table = page.locator('table', { has: page.locator('caption', { hasText: 'Vacancy rate' }) });
    assert.equal(await table.count(), 1, 'the vacancy rate chart\'s data table');
    assert.ok(await table.locator('tbody tr').count() >= 12, 'a row per month');

    // the trust's data quality: rows behind a count, never the protected ones
    await visit(page, '/orgs/RXC');
    await follow(page, 'Data quality of the staff records and ledger of EAST SUSSEX HEALTHCARE NHS TRUST');
    assert.equal(await page.locator('h1').innerText(), 'Data quality');
    const row = page.locator('tr', { hasText: 'Staff groups found by the ESR staff group fallback' });
    assert.equal(await row.getByRole('link').count(), 1);
    for (const p of ['Ethnicity not stated', 'Ethnicity not known', 'Disability not declared'])
      assert.equal(await page.locator('tr', { hasText: p }).getByRole('link').count(), 0, p);
    await Promise.all([page.waitForLoadState('load'), row.getByRole('link').click()]);
    await accessible(page);
    assert.equal(await page.locator('h1').innerText(), 'Staff groups found by the ESR staff group fallback');
    assert.match(await main.innerText(), /Staff reference/);
    const first = await page.locator('main table tbody tr').first().innerText();
    assert.equal(await page.locator('main table tbody tr').count(), 50);
    await follow(page, /^Next/);
    assert.match(new URL(page.url()).search, /cursor=/);
    assert.notEqual(await page.locator('main table tbody tr').first().innerText(), first);
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
});
