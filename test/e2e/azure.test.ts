/**
 * Azure App Service, emulated: a TLS-terminating front end that forwards over plain http with
 * X-ARR-SSL and X-Forwarded-For (ip:port) and no X-Forwarded-Proto, like ARR (deploy/azure.md).
 * With TRUST_PROXY=1 Chromium signs in through it and gets `__Host-sid` with Secure; without
 * trustProxy the app sends no cookie and says once that this looks like Azure and what to set.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from './support/demo.ts';
import { ARR_SSL, startArrProxy, type ArrProxy } from './support/arr-proxy.ts';
import { launchChromium, newContext, recordResponses, requireTools, settle, shownUser, signInThroughForm } from './support/browser.ts';

const azureDoc = readFileSync(new URL('../../deploy/azure.md', import.meta.url), 'utf8');

const ready = await requireTools({ nginx: false });

describe('Azure App Service front end (emulated) in front of the demo', { skip: !ready && 'Chromium is not installed' }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  describe('with TRUST_PROXY=1', () => {
    let demo: Demo;
    let arr: ArrProxy;
    before(async () => {
      demo = await startDemo({ trustProxy: '1', nodeEnv: 'production' });
      arr = await startArrProxy(demo.port);
    });
    after(async () => {
      await arr?.stop();
      await demo?.stop();
    });

    it('Chromium signs in through the form and __Host-sid arrives with Secure', async () => {
      const context = await newContext(browser);
      try {
        const page = await context.newPage();
        const seen = recordResponses(page);
        await signInThroughForm(page, arr.origin, 'ada');
        assert.equal(await shownUser(page), 'ada');

        const sid = (await context.cookies(arr.origin)).find((c) => c.name === '__Host-sid');
        assert.ok(sid, 'the browser holds __Host-sid');
        assert.equal(sid.secure, true);
        assert.equal(sid.httpOnly, true);

        await settle(seen);
        const raw = seen.find((r) => r.method === 'POST' && r.path === '/login')?.setCookies.find((c) => c.startsWith('__Host-sid='));
        assert.ok(raw, 'POST /login sent Set-Cookie: __Host-sid');
        assert.match(raw, /;\s*Secure(;|$)/i);

        // The app got X-ARR-SSL and never X-Forwarded-Proto: X-ARR-SSL alone made it secure.
        assert.ok(arr.forwarded.length >= 3);
        for (const headers of arr.forwarded) {
          assert.equal(headers['x-arr-ssl'], ARR_SSL);
          assert.equal(headers['x-forwarded-proto'], undefined);
          assert.match(String(headers['x-forwarded-for']), /^127\.0\.0\.1:\d+$/);
        }

        await page.goto(`${arr.origin}/sessions`);
        const ipCell = (await page.locator('tbody tr td').nth(1).textContent())?.trim();
        assert.match(ipCell ?? '', /^127\.0\.0\.1$/, `the session records the client address ARR forwarded, port dropped (${ipCell})`);
      } finally {
        await context.close();
      }
      assert.doesNotMatch(demo.output, /holdfast:/, demo.output);
    });
  });

  describe('without trustProxy', () => {
    let demo: Demo;
    let arr: ArrProxy;
    before(async () => {
      demo = await startDemo({ nodeEnv: 'production' });
      arr = await startArrProxy(demo.port);
    });
    after(async () => {
      await arr?.stop();
      await demo?.stop();
    });

    it('sends no cookie and warns once that this looks like Azure, naming trustProxy', async () => {
      const context = await newContext(browser);
      try {
        const page = await context.newPage();
        const seen = recordResponses(page);
        for (let i = 0; i < 3; i++) await page.goto(`${arr.origin}/`);
        await signInThroughForm(page, arr.origin, 'ada');
        assert.equal(await shownUser(page), null, 'the sign-in does not stick');
        await settle(seen);
        assert.ok(seen.length >= 5, `several requests went through (${seen.length})`);
        assert.deepEqual(seen.flatMap((r) => r.setCookies), [], 'no session cookie over what the app thinks is plain http');
        assert.deepEqual(await context.cookies(arr.origin), []);
      } finally {
        await context.close();
      }
      const warnings = demo.output.split('\n').filter((line) => line.includes('holdfast:'));
      assert.equal(warnings.length, 1, demo.output);
      assert.match(warnings[0]!, /X-ARR-SSL/);
      assert.match(warnings[0]!, /Azure App Service/);
      assert.match(warnings[0]!, /set trustProxy: true \(or 1\)/);
      assert.ok(azureDoc.includes(`\n${warnings[0]!}\n`), 'deploy/azure.md quotes the warning exactly as printed');
    });
  });
});
