/**
 * The mistake people lose days to: the app behind the same nginx (deploy/nginx/holdfast.conf)
 * but started WITHOUT trustProxy. nginx says `X-Forwarded-Proto: https`, the app does not trust
 * it, so the request looks like plain http:
 * - in production no session cookie goes out at all (holdfast never downgrades), so signing in
 *   does not stick;
 * - in development the browser gets `sid` without Secure (local http keeps working).
 * Either way the app prints exactly one warning that names the fix (`set trustProxy: 1`), however
 * many requests come in.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from './support/demo.ts';
import { startNginx, type Nginx } from './support/nginx.ts';
import { launchChromium, newContext, recordResponses, requireTools, settle, shownUser, signInThroughForm } from './support/browser.ts';

const ready = await requireTools({ nginx: true });

const nginxReadme = readFileSync(new URL('../../deploy/nginx/README.md', import.meta.url), 'utf8');

const FIX = 'request from 127.0.0.1 had X-Forwarded-Proto: https but trustProxy is off; if 127.0.0.1 is your TLS proxy set trustProxy: 1';

function holdfastWarnings(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('holdfast:'));
}

describe('nginx in front of the demo started without trustProxy', { skip: !ready && 'Chromium or nginx is not installed' }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const nodeEnv of ['production', 'development'] as const) {
    describe(`NODE_ENV=${nodeEnv}`, () => {
      let demo: Demo;
      let nginx: Nginx;
      before(async () => {
        demo = await startDemo({ nodeEnv });
        nginx = await startNginx(demo.port);
      });
      after(async () => {
        await nginx?.stop();
        await demo?.stop();
      });

      it('no Secure cookie reaches the browser, and the app warns exactly once with the fix', async () => {
        const context = await newContext(browser);
        try {
          const page = await context.newPage();
          const seen = recordResponses(page);
          for (let i = 0; i < 3; i++) await page.goto(`${nginx.origin}/`);
          await signInThroughForm(page, nginx.origin, 'ada');
          await page.reload();

          await settle(seen);
          assert.ok(seen.length >= 6, `several requests went through (${seen.length})`);
          const setCookies = seen.flatMap((r) => r.setCookies);
          assert.ok(!setCookies.some((c) => /;\s*Secure(;|$)/i.test(c)), `no Secure cookie: ${JSON.stringify(setCookies)}`);
          const cookies = await context.cookies(nginx.origin);
          assert.ok(!cookies.some((c) => c.secure || c.name === '__Host-sid'), JSON.stringify(cookies));

          if (nodeEnv === 'production') {
            assert.deepEqual(setCookies, [], 'production: no session cookie at all');
            assert.equal(await shownUser(page), null, 'so the sign-in does not stick');
          } else {
            assert.ok(setCookies.length > 0 && setCookies.every((c) => c.startsWith('sid=')), 'development: plain `sid`');
            assert.equal(await shownUser(page), 'ada', 'development keeps working, without Secure');
          }

          const warnings = holdfastWarnings(demo.output);
          assert.equal(warnings.length, 1, `exactly one warning in:\n${demo.output}`);
          assert.ok(warnings[0]!.includes(FIX), warnings[0]);
          assert.ok(warnings[0]!.includes('set trustProxy: 1'));
          if (nodeEnv === 'production') {
            assert.ok(nginxReadme.includes(`\n${warnings[0]!}\n`), 'deploy/nginx/README.md quotes the warning exactly as printed');
          }
        } finally {
          await context.close();
        }
      });
    });
  }
});
