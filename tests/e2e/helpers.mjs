// Shared by the browser tests: launching Debian's Chromium through
// playwright-core, and the accessibility check every visited page gets.
// The server, its database and its accounts come from scripts/test-browser
// through the environment (CADRE_E2E_URL, CADRE_E2E_DB, CADRE_E2E_PASSWORD).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const BASE = process.env.CADRE_E2E_URL;
export const DB = process.env.CADRE_E2E_DB;
export const PASSWORD = process.env.CADRE_E2E_PASSWORD;
if (!BASE || !DB || !PASSWORD) {
  throw new Error('run through scripts/test-browser (CADRE_E2E_URL, CADRE_E2E_DB, CADRE_E2E_PASSWORD)');
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// browser: a fresh Chromium with its own new user-data-dir; close() removes it.
export async function browser(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    ...options,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const messages = [];
  // script errors; a 4xx answer the test asked for is not one
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) messages.push(m.text());
  });
  page.on('pageerror', (e) => messages.push(String(e)));
  return {
    page,
    messages,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// WCAG 2.2 AA, as the issue asks: these tags, zero violations.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const checked = [];

// accessible: axe on the page as it stands; fails listing every violation.
export async function accessible(page) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  checked.push(new URL(page.url()).pathname);
  const found = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `accessibility violations on ${page.url()}`);
  assert.ok(result.passes.length > 10, `axe checked too little on ${page.url()}`);
}

// visit: go to path and check the page.
export async function visit(page, path) {
  const response = await page.goto(BASE + path);
  await accessible(page);
  return response;
}

// signIn: fill the sign-in form and submit it; the page that follows is checked.
export async function signIn(page, email, password) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
  await accessible(page);
}
