// Browser tests: signing in and out, a wrong password, an expired session,
// the pages an administrator uses, and the same without JavaScript; axe on
// every page visited (helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, DB, PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const ADMIN = 'e2e-admin@rxc.test';
const PLANNER = 'e2e-planner@rxc.test';

test('sign in, see home, use the administration pages, sign out', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'the home page sends you to sign in');
    assert.equal(await page.title(), 'Sign in - Cadre');
    assert.equal(await page.evaluate(() => document.body.classList.contains('js-enabled')), true,
      'the design system\'s script runs (from /assets/, no inline script)');
    await signIn(page, ADMIN, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Home' }).waitFor());
    const header = page.getByRole('navigation', { name: 'Account' });
    assert.match(await header.innerText(), /Ada Admin/);
    assert.match(await header.innerText(), /England/);
    assert.match(await page.locator('main').innerText(), /Administrator/);

    await page.getByRole('link', { name: 'Users' }).first().click();
    await page.waitForLoadState('load');
    await accessible(page);
    assert.equal(new URL(page.url()).pathname, '/users');
    await page.getByRole('link', { name: 'Priya Planner' }).click();
    await page.waitForLoadState('load');
    await accessible(page);
    assert.match(await page.locator('h1').innerText(), /Priya Planner/);

    // grant a role through the form, then revoke it
    await page.getByLabel('Role').selectOption('talent_lead');
    await page.getByLabel('Over the organisation').fill('RXC');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Grant role' }).click()]);
    await accessible(page);
    assert.match(await page.locator('main').innerText(), /The role has been granted/);
    await Promise.all([page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Revoke Talent lead over RXC' }).click()]);
    await accessible(page);
    assert.match(await page.locator('main').innerText(), /The role has been revoked/);

    // a form with errors
    await page.getByLabel('Over the organisation').fill('NOPE');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Grant role' }).click()]);
    await accessible(page);
    assert.match(await page.title(), /^Error: /);

    await visit(page, '/users/new');
    await visit(page, '/tokens');
    await page.getByLabel("Account's email address").fill(PLANNER);
    await page.getByLabel('Label').fill('e2e export');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Issue token' }).click()]);
    await accessible(page);
    assert.match(await page.locator('code.cadre-secret').innerText(), /^cadre_/);
    await visit(page, '/orgs');
    await visit(page, '/orgs/RXC');
    await visit(page, '/audit');
    assert.match(await page.locator('main').innerText(), /token\.issue/);
    await visit(page, '/no-such-page');

    await visit(page, '/');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
    await accessible(page);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.match(await page.locator('main').innerText(), /You have signed out/);
    await visit(page, '/users');
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'signed out: pages send you to sign in');
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
});

test('a wrong password gets the error summary, and no session', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, ADMIN, 'not the password at all');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.match(await page.title(), /^Error: Sign in/);
    const summary = page.locator('.nhsuk-error-summary');
    assert.match(await summary.innerText(), /Enter the email address and password of your account/);
    assert.equal(await page.getByLabel('Email address').inputValue(), ADMIN);
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    await visit(page, '/');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
  } finally {
    await b.close();
  }
});

test('an expired session sends you to sign in, and back to the page', async () => {
  const b = await browser();
  const { page } = b;
  try {
    await visit(page, '/sign-in');
    await signIn(page, PLANNER, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    // two hours pass without a request (session.idle_minutes is 30)
    execFileSync('sqlite3', [DB, 'UPDATE session SET last_seen_at = last_seen_at - 7200000000 '
      + 'WHERE ended_at IS NULL']);
    await visit(page, '/?after=idle');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    assert.match(await page.locator('main').innerText(), /You have been signed out/);
    await signIn(page, PLANNER, PASSWORD);
    assert.equal(page.url(), `${BASE}/?after=idle`, 'back to the page asked for');
    assert.match(await page.locator('main').innerText(), /Workforce planner/);
  } finally {
    await b.close();
  }
});

test('signing in and out works without JavaScript', async () => {
  // Cadre's scripts are refused, so nothing they would enhance can run;
  // axe still checks each page (playwright injects it itself).
  const b = await browser();
  const { page } = b;
  let refused = 0;
  await page.route('**/*.js', (route) => { refused++; return route.abort(); });
  try {
    await visit(page, '/sign-in');
    assert.ok(refused > 0, 'the page asked for its script');
    assert.equal(await page.evaluate(() => document.body.classList.contains('js-enabled')), false,
      'no script of ours ran (it would have added js-enabled)');
    await signIn(page, PLANNER, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.locator('main').innerText(), /Workforce planner/);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
    await accessible(page);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
  } finally {
    await b.close();
  }
});
