/**
 * holdfast/express csrf() against a real browser (Chromium, headless): a cross-site form post from
 * another site is refused by Fetch Metadata; the app's own form (token in _csrf) and its own
 * fetch() pass. Skips loudly when Chromium is not installed (fails under CI=true).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { csrf, session, type RequestWithCsrf } from '../../src/adapters/express/index.ts';
import type { SessionEvent } from '../../src/core/events.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen, type Listening } from '../behaviour/listen.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing and CI=true: install chromium`);
if (missing) console.warn(`SKIPPING test/e2e/csrf-browser.test.ts: ${CHROMIUM} is not installed`);

describe('csrf in Chromium', { skip: missing ? `${CHROMIUM} not installed` : false }, () => {
  let browser: Browser;
  let app: Listening;
  let evil: Listening;
  const refusals: Array<Extract<SessionEvent, { type: 'csrf-refused' }>> = [];
  const seen: Array<Record<string, string | undefined>> = [];

  before(async () => {
    const a = express();
    const mw = session({ secrets: randomBytes(32).toString('base64url'), store: new MemoryStore({ sweepInterval: 0 }), production: false });
    mw.sessions.on('csrf-refused', (e) => refusals.push(e));
    a.use(mw);
    a.use(express.urlencoded({ extended: false }));
    a.use((req, _res, next) => {
      if (req.method === 'POST') seen.push({ site: req.get('sec-fetch-site'), origin: req.get('origin') });
      next();
    });
    a.use(csrf());
    a.get('/', (req, res) => {
      (req as unknown as { session: Record<string, unknown> }).session.visited = true;
      const token = (req as unknown as RequestWithCsrf).csrfToken();
      res.type('html').send(`<form id="f" method="post" action="/transfer"><input type="hidden" name="_csrf" value="${token}"><button>go</button></form>`);
    });
    a.post('/transfer', (_req, res) => void res.type('text/plain').send('transferred'));
    a.use(((err: { status?: number }, _req, res, _next) => void res.status(err.status ?? 500).type('text/plain').send('refused')) as express.ErrorRequestHandler);
    app = await listen(a);
    evil = await listen((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="http://localhost:${app.port}/transfer"><input name="amount" value="1000"></form><script>document.getElementById('f').submit()</script>`);
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await evil?.close();
  });

  it("the app's own form passes; a cross-site auto-submitting form is refused (403, reason cross-site)", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${app.port}/`);
      await Promise.all([page.waitForURL(/\/transfer$/), page.click('button')]);
      assert.equal(await page.textContent('body'), 'transferred');
      assert.equal(seen.at(-1)?.site, 'same-origin');

      const response = page.waitForResponse((r) => r.url().endsWith('/transfer'));
      await page.goto(`http://127.0.0.1:${evil.port}/`);
      assert.equal((await response).status(), 403);
      assert.equal(seen.at(-1)?.site, 'cross-site');
      assert.deepEqual(refusals.map((r) => r.reason), ['cross-site']);
    } finally {
      await page.close();
    }
  });

  it("the app's own fetch() POST passes", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${app.port}/`);
      const status = await page.evaluate(async () => (await fetch('/transfer', { method: 'POST' })).status);
      assert.equal(status, 200);
      assert.equal(seen.at(-1)?.site, 'same-origin');
    } finally {
      await page.close();
    }
  });
});
