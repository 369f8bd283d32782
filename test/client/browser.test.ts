/**
 * holdfast/client in Debian Chromium (playwright-core): the warning, extend across tabs, logout
 * across tabs, passive status polls, re-checks after a sleep, and the redirect at expiry. The
 * browser clock (context.clock) and the server clock (TestClock) are moved together; the browser
 * clock starts three hours off the server's, so only remaining times can make the tests pass.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { IDLE_MS, startClientApp, WARN_MS, type ClientApp } from './app.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SKEW_MS = 3 * 3600_000;

let browser: Browser | undefined;
let app: ClientApp;

const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (missing !== undefined) {
  if (process.env.CI === 'true') throw new Error(missing);
  console.warn(`SKIPPING holdfast/client browser tests: ${missing}`);
}

before(async () => {
  if (missing !== undefined) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  app = await startClientApp();
});
after(async () => {
  await browser?.close();
  await app?.close();
});

interface Tabs {
  context: BrowserContext;
  pages: Page[];
  /** Move server and browser time together; `sleep` jumps (timers fire once, late) instead of running. */
  advance(ms: number, sleep?: boolean): Promise<void>;
  /** The server-side expiry of this context's session. */
  expiresAt(): Promise<number | undefined>;
}

let users = 0;

/** A signed-in browser context with `count` tabs open on /app, each watching the session. */
async function signedIn(count: number, noBroadcastChannel = false, path = '/app'): Promise<Tabs> {
  const context = await (browser as Browser).newContext({ baseURL: app.url });
  if (noBroadcastChannel) {
    await context.addInitScript(() => {
      delete (window as unknown as { BroadcastChannel?: unknown }).BroadcastChannel;
    });
  }
  await context.clock.install({ time: app.clock.now() + SKEW_MS });
  // Paused: browser time moves only with advance() below, in step with the server's.
  await context.clock.pauseAt(app.clock.now() + SKEW_MS + 1);
  await context.addInitScript(() => {
    (window as unknown as { remaining: () => number }).remaining = () => (window as unknown as { watch: { remainingMs: number } }).watch.remainingMs;
  });
  const user = `user-${++users}`;
  const login = await context.request.post(`/login?user=${user}`);
  assert.equal(login.status(), 204);
  const pages: Page[] = [];
  for (let n = 0; n < count; n++) {
    const page = await context.newPage();
    await page.goto(path);
    await page.waitForFunction(() => (window as unknown as { watch?: { remainingMs: number } }).watch?.remainingMs !== undefined);
    pages.push(page);
  }
  // The first status answers arrived: every tab knows the full idle time.
  for (const page of pages) await page.waitForFunction((idle) => remaining() > idle - 5000 && remaining() <= idle, IDLE_MS, { polling: 50, timeout: 5000 });
  return {
    context,
    pages,
    expiresAt: () => app.expiresAt(user),
    async advance(ms, sleep = false) {
      app.clock.advance(ms);
      if (sleep) await context.clock.fastForward(ms);
      else await context.clock.runFor(ms);
    },
  };
}

/** In-page: the watch's remaining time (defined by an init script; declared for the type checker). */
declare function remaining(): number;

const dialogOpen = (page: Page): Promise<boolean> => page.evaluate(() => (document.querySelector('dialog.holdfast-warning') as HTMLDialogElement | null)?.open === true);

test('the warning appears before expiry, focus on the extend button, with a live countdown', { skip: missing }, async () => {
  const tabs = await signedIn(1);
  const [page] = tabs.pages as [Page];
  await tabs.advance(IDLE_MS - WARN_MS - 5000);
  assert.equal(await dialogOpen(page), false, 'no warning while more than warnBefore is left');
  await tabs.advance(6000);
  await page.waitForSelector('dialog.holdfast-warning[open]');
  const state = await page.evaluate(() => {
    const dialog = document.querySelector('dialog.holdfast-warning') as HTMLDialogElement;
    return {
      focus: (document.activeElement as HTMLElement | null)?.dataset.holdfast,
      role: dialog.getAttribute('role'),
      label: document.getElementById(dialog.getAttribute('aria-labelledby') ?? '')?.textContent,
      desc: document.getElementById(dialog.getAttribute('aria-describedby') ?? '')?.textContent,
      live: dialog.querySelector('[aria-live]')?.textContent,
    };
  });
  assert.equal(state.focus, 'extend');
  assert.equal(state.role, 'alertdialog');
  assert.equal(state.label, 'Your session is about to end');
  assert.match(state.desc ?? '', /signed out in 0:1\d\.$/);
  assert.match(state.live ?? '', /signed out in 0:1\d\.$/);
  await tabs.context.close();
});

test('extend in one tab extends the session and closes the warning in both', { skip: missing }, async () => {
  const tabs = await signedIn(2);
  const [a, b] = tabs.pages as [Page, Page];
  await tabs.advance(IDLE_MS - WARN_MS + 2000);
  await a.waitForSelector('dialog.holdfast-warning[open]');
  await b.waitForSelector('dialog.holdfast-warning[open]');
  const before = await tabs.expiresAt();
  await a.click('[data-holdfast=extend]');
  await a.waitForFunction(() => !(document.querySelector('dialog.holdfast-warning') as HTMLDialogElement).open);
  await b.waitForFunction(() => !(document.querySelector('dialog.holdfast-warning') as HTMLDialogElement).open);
  assert.equal(await tabs.expiresAt(), app.clock.now() + IDLE_MS, 'the server-side expiry moved to now + idle');
  assert.ok((before ?? 0) < app.clock.now() + IDLE_MS);
  assert.ok((await b.evaluate(() => remaining())) > IDLE_MS - 5000, 'the other tab counts from the new expiry');
  await tabs.context.close();
});

for (const noBroadcastChannel of [false, true]) {
  const how = noBroadcastChannel ? 'storage events (no BroadcastChannel)' : 'BroadcastChannel';
  test(`log out in one tab reaches the other, over ${how}`, { skip: missing }, async () => {
    const tabs = await signedIn(2, noBroadcastChannel);
    const [a, b] = tabs.pages as [Page, Page];
    assert.equal(await a.evaluate(() => typeof BroadcastChannel), noBroadcastChannel ? 'undefined' : 'function');
    await a.evaluate(() => (window as unknown as { watch: { logout(): Promise<void> } }).watch.logout());
    await a.waitForURL('**/login');
    await b.waitForURL('**/login');
    assert.equal(await tabs.expiresAt(), undefined, 'the server-side session is gone');
    await tabs.context.close();
  });
}

test('extend syncs over storage events too (no BroadcastChannel)', { skip: missing }, async () => {
  const tabs = await signedIn(2, true);
  const [a, b] = tabs.pages as [Page, Page];
  await tabs.advance(IDLE_MS - WARN_MS + 2000);
  await b.waitForSelector('dialog.holdfast-warning[open]');
  await a.waitForSelector('dialog.holdfast-warning[open]');
  await a.click('[data-holdfast=extend]');
  await b.waitForFunction(() => !(document.querySelector('dialog.holdfast-warning') as HTMLDialogElement).open, undefined, { timeout: 5000 });
  await tabs.context.close();
});

test('the status poll does not extend the session; an ordinary request does', { skip: missing }, async () => {
  const tabs = await signedIn(1);
  const [page] = tabs.pages as [Page];
  const expiry = await tabs.expiresAt();
  await tabs.advance(35_000); // past touchAfter (30 s): an ordinary request would touch now
  const passiveBefore = app.counts.passive;
  await page.evaluate(() => (window as unknown as { watch: { check(): Promise<void> } }).watch.check());
  assert.equal(app.counts.passive, passiveBefore + 1, 'the poll carried Holdfast-Passive: 1');
  assert.equal(await tabs.expiresAt(), expiry, 'the server-side expiry did not move');
  const status = await tabs.context.request.get('/session/status');
  assert.equal(status.headers()['set-cookie'], undefined, 'no Set-Cookie on a status answer');
  assert.equal(await tabs.expiresAt(), expiry);
  const ping = await tabs.context.request.get('/ping', { headers: { 'Holdfast-Passive': '1' } });
  assert.equal(ping.headers()['set-cookie'], undefined, 'the header alone makes any route passive');
  assert.equal(await tabs.expiresAt(), expiry);
  // Control: the same request without the header touches (so the assertions above can fail).
  const touched = await page.evaluate(() => fetch('/ping').then(() => (window as unknown as { watch: { remainingMs: number } }).watch.remainingMs));
  assert.equal(await tabs.expiresAt(), app.clock.now() + IDLE_MS);
  assert.ok(touched > IDLE_MS - 5000, 'observeFetch read Holdfast-Session-Expires from the response');
  await tabs.context.close();
});

test('after a sleep (timers late, clock jumped) the tab asks the server again', { skip: missing }, async () => {
  const tabs = await signedIn(1);
  const [page] = tabs.pages as [Page];
  await tabs.advance(31_000); // ticks run on time: no re-check
  const polls = app.counts.status;
  // Another device (not this browser's watch) extends the session meanwhile.
  const other = await tabs.context.request.get('/ping');
  assert.equal(other.status(), 200);
  const extended = await tabs.expiresAt();
  assert.equal(extended, app.clock.now() + IDLE_MS);
  // The laptop sleeps 6 s: the interval fires once, late. By this tab's own count 23 s are left,
  // more than warnBefore, so only the gap can send it to the server.
  await tabs.advance(6000, true);
  await page.waitForFunction((idle) => remaining() > idle - 6000 - 2000, IDLE_MS, { polling: 50, timeout: 5000 });
  assert.ok(app.counts.status > polls, 'a status request followed the gap');
  const left = await page.evaluate(() => remaining());
  assert.ok(Math.abs(left - (IDLE_MS - 6000)) < 2000, `counts from the server's answer (${left} ms left)`);
  // Coming back to a hidden tab asks again too.
  const seen = app.counts.status;
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForFunction(() => (window as unknown as { watch: { check(): Promise<void> } }).watch !== undefined);
  const deadline = Date.now() + 5000;
  while (app.counts.status === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(app.counts.status, seen + 1, 'visibilitychange sent one status request');
  assert.equal(await dialogOpen(page), false, 'no warning: the server said there is time');
  await tabs.context.close();
});

test('when the session ends the user is sent to the login page', { skip: missing }, async () => {
  const tabs = await signedIn(1);
  const [page] = tabs.pages as [Page];
  await tabs.advance(IDLE_MS - WARN_MS + 1000);
  await page.waitForSelector('dialog.holdfast-warning[open]');
  await tabs.advance(WARN_MS);
  await page.waitForURL('**/login');
  assert.equal(await tabs.expiresAt(), undefined, 'the server agrees: no live session');
  await tabs.context.close();
});

test('logoutOnClose: leaving the page sends a logout beacon; without the option nothing is sent', { skip: missing }, async () => {
  const plain = await signedIn(1);
  const before = app.counts.logout;
  await (plain.pages[0] as Page).goto('/login');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(app.counts.logout, before, 'no beacon without the option');
  assert.notEqual(await plain.expiresAt(), undefined);
  await plain.context.close();

  const tabs = await signedIn(1, false, '/app?close=1');
  await (tabs.pages[0] as Page).goto('/login');
  const deadline = Date.now() + 5000;
  while (app.counts.logout === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(app.counts.logout, before + 1, 'one beacon on pagehide');
  assert.equal(await tabs.expiresAt(), undefined, 'the beacon logged the session out');
  await tabs.context.close();
});
