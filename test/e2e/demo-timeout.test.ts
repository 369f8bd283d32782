/**
 * The demo's idle-timeout warning (holdfast/client on every signed-in page) in Chromium, against
 * the real server clock: with IDLE_TIMEOUT=64s the warning (60 s before the end) appears a few
 * seconds after signing in, with focus on its one action; "Stay signed in" extends the session on
 * the server through the CSRF-checked POST, and the dialog goes away. The status polls in between
 * never extended anything (the server's remaining time only went down until the click).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type Demo } from './support/demo.ts';
import { launchChromium, newContext, requireTools, shownUser, signInThroughForm } from './support/browser.ts';

const ready = await requireTools({ nginx: false });

const remainingMs = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    const response = await fetch('/session/status', { headers: { 'Holdfast-Passive': '1' } });
    return ((await response.json()) as { remainingMs: number }).remainingMs;
  });

describe('the demo warns before the idle timeout and extends in one action', { skip: !ready && 'Chromium is not installed' }, () => {
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    demo = await startDemo({ nodeEnv: 'development', env: { IDLE_TIMEOUT: '64s' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('warning dialog with focus on "Stay signed in"; the click extends the session on the server', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const origin = `http://127.0.0.1:${demo.port}`;
      await signInThroughForm(page, origin, 'grace');
      assert.equal(await shownUser(page), 'grace');
      const before = await remainingMs(page);
      assert.ok(before > 55_000 && before <= 64_000, `just signed in: ${before} ms left`);

      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
      assert.match(focused, /Stay signed in/);
      const beforeClick = await remainingMs(page);
      assert.ok(beforeClick <= 60_500 && beforeClick < before, `the warning shows within the last minute, polls did not extend (${before} → ${beforeClick} ms)`);

      const extended = page.waitForResponse((r) => new URL(r.url()).pathname === '/session/extend' && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Stay signed in' }).click();
      assert.equal((await extended).status(), 200, 'the extend POST passed the CSRF check');
      await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
      const after = await remainingMs(page);
      assert.ok(after > beforeClick + 2_000 && after <= 64_000, `extended on the server: ${beforeClick} → ${after} ms`);
    } finally {
      await context.close();
    }
  });
});
