// Browser test: a trust runs a self-assessment round from opening to board
// sign-off.  The chief people officer opens a round for RXC in 2026/27 (the
// demo has none then), invites respondents proposed from Cadre's accounts
// and staff records (unticking one), the board member and the workforce
// planner sign in and answer (save a draft, come back, submit), the chief
// people officer closes the round and the board member signs it off.  axe
// on every page (helpers.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, browser, visit, accessible, signIn } from './helpers.mjs';

const CPO = 'chief_people_officer@demo.cadre.test';
const BOARD = 'board_member@demo.cadre.test';
const PLANNER = 'workforce_planner@demo.cadre.test';

async function click(page, locator) {
  await Promise.all([page.waitForLoadState('load'), locator.click()]);
  await accessible(page);
}

async function as(email, fn) {
  const b = await browser();
  try {
    await visit(b.page, '/sign-in');
    await signIn(b.page, email, PASSWORD);
    await fn(b.page);
    assert.deepEqual(b.messages, [], 'no script errors');
  } finally {
    await b.close();
  }
}

// answer: on the questionnaire, choose level for every statement (the
// radios whose value is level), give evidence on the first, and press button
async function answer(page, level, button) {
  const radios = page.locator(`input[type=radio][value="${level}"]`);
  const n = await radios.count();
  assert.ok(n >= 25, `a radio at level ${level} for every statement (${n})`);
  for (let i = 0; i < n; i++) await radios.nth(i).check();
  await page.locator('textarea').first().fill('Board minutes of March 2027');
  await click(page, page.getByRole('button', { name: button }));
}

test('a round from opening to board sign-off', { timeout: 600000 }, async () => {
  let round = 0;
  await as(CPO, async (page) => {
    await visit(page, '/assess');
    assert.match(await page.locator('h1').innerText(), /Self-assessment/);
    // the demo's rounds are listed
    assert.match(await page.locator('main').innerText(), /2025\/26/);
    // a form with errors first: no period
    await page.getByLabel('Organisation', { exact: true }).fill('RXC');
    await page.getByLabel('Period').fill('');
    await click(page, page.getByRole('button', { name: 'Open the round' }));
    assert.match(await page.title(), /^Error: /);
    await page.getByLabel('Period').fill('2026/27');
    await click(page, page.getByRole('button', { name: 'Open the round' }));
    const m = new URL(page.url()).pathname.match(/^\/assess\/rounds\/(\d+)\/invite$/);
    assert.ok(m, `opening goes on to the invitation page (${page.url()})`);
    round = Number(m[1]);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Board members/);
    // proposed from accounts by role over RXC
    const board = page.getByLabel(/Board member \(demo\) \(board_member@demo\.cadre\.test\)/);
    const planner = page.getByLabel(/Workforce planner \(demo\) \(workforce_planner@demo\.cadre\.test\)/);
    assert.equal(await board.isChecked(), true);
    assert.equal(await planner.isChecked(), true);
    // and from the staff extract: senior leaders and line managers
    assert.match(await main.innerText(), /staff extract: leadership level 3 or more/);
    assert.match(await main.innerText(), /staff extract: manages staff in post/);
    // untick one proposal
    const ward = page.getByLabel(/Ward manager \(demo\)/);
    if (await ward.count()) await ward.uncheck();
    await click(page, page.getByRole('button', { name: 'Invite' }));
    assert.equal(new URL(page.url()).pathname, `/assess/rounds/${round}`);
    assert.match(await main.innerText(), /The respondents have been invited/);
    assert.match(await main.innerText(), /Participation so far, by group/);
  });

  // the board member answers: a draft, then back, then submit
  await as(BOARD, async (page) => {
    await visit(page, '/assess');
    await click(page, page.getByRole('link', { name: /2026\/27/ }));
    assert.equal(new URL(page.url()).pathname, `/assess/rounds/${round}/answer`);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Leadership/);
    assert.match(await main.innerText(), /Evidence from Cadre's data/, 'opinion meets data');
    await page.locator('#score-lead-1-4').check();
    await page.locator('#note-lead-1').fill('Board minutes of March 2027');
    await click(page, page.getByRole('button', { name: 'Save draft' }));
    assert.match(await main.innerText(), /Your draft has been saved/);
    await visit(page, '/assess');
    assert.match(await main.innerText(), /Draft saved/);
    await visit(page, `/assess/rounds/${round}/answer`);
    assert.equal(await page.locator('#score-lead-1-4').isChecked(), true, 'the draft is kept');
    assert.equal(await page.locator('#note-lead-1').inputValue(), 'Board minutes of March 2027');
    await answer(page, 4, 'Submit answers');
    assert.equal(new URL(page.url()).pathname, '/assess');
    assert.match(await main.innerText(), /Your answers have been submitted/);
    await visit(page, `/assess/rounds/${round}/answer`);
    assert.match(await main.innerText(), /A respondent answers once/);
    assert.equal(await page.getByRole('button', { name: 'Submit answers' }).count(), 0);
  });

  await as(PLANNER, async (page) => {
    await visit(page, `/assess/rounds/${round}/answer`);
    await answer(page, 2, 'Save draft');
    await answer(page, 3, 'Submit answers');
    assert.match(await page.locator('main').innerText(), /Your answers have been submitted/);
  });

  await as(CPO, async (page) => {
    await visit(page, `/assess/rounds/${round}`);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Board members/);
    await click(page, page.getByRole('button', { name: 'Close the round' }));
    assert.match(await main.innerText(), /The round is closed/);
    assert.equal(await page.getByRole('button', { name: 'Sign off' }).count(), 0,
      'only a board member signs off');
  });

  await as(BOARD, async (page) => {
    await visit(page, `/assess/rounds/${round}`);
    const main = page.locator('main');
    // the confirmation is needed
    await click(page, page.getByRole('button', { name: 'Sign off' }));
    assert.match(await page.title(), /^Error: /);
    await page.getByLabel(/sign off these results for the board/).check();
    await click(page, page.getByRole('button', { name: 'Sign off' }));
    const text = await main.innerText();
    assert.match(text, /The results have been signed off for the board/);
    assert.match(text, /Signed off for the board by Board member \(demo\) on /);
    assert.match(text, /SHA-256 of the results as signed: [0-9a-f]{64}/);
    assert.match(text, /Signed off by the board/);
  });
});
