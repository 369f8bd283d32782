/**
 * deploy/nginx/holdfast.conf in front of the demo (examples/basic) with TRUST_PROXY=1, driven by
 * Chromium: the `__Host-sid` cookie arrives with Secure through the TLS proxy, signing in and out
 * work through the real form, only TLS 1.2 and 1.3 are spoken, plain http is redirected, and a
 * client cannot speak for the proxy (its own X-Forwarded-* / Forwarded headers are overwritten).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from './support/demo.ts';
import { startNginx, type Nginx } from './support/nginx.ts';
import { handshake } from './support/tls-probe.ts';
import {
  launchChromium,
  newContext,
  recordResponses,
  requireTools,
  settle,
  shownUser,
  signInThroughForm,
  signOutThroughButton,
} from './support/browser.ts';
import { send } from '../support/http-client.ts';

const ready = await requireTools({ nginx: true });

describe('nginx (deploy/nginx/holdfast.conf) in front of the demo with trustProxy: 1', { skip: !ready && 'Chromium or nginx is not installed' }, () => {
  let demo: Demo;
  let nginx: Nginx;
  let browser: Browser;

  before(async () => {
    demo = await startDemo({ trustProxy: '1', nodeEnv: 'production' });
    nginx = await startNginx(demo.port);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await nginx?.stop();
    await demo?.stop();
  });

  it('Chromium signs in through the form: __Host-sid arrives Secure, the signed-in page shows, logout clears it', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const seen = recordResponses(page);

      await signInThroughForm(page, nginx.origin, 'ada');
      assert.equal(await shownUser(page), 'ada', 'the page after the redirect shows the signed-in user');

      const cookies = await context.cookies(nginx.origin);
      const sid = cookies.find((c) => c.name === '__Host-sid');
      assert.ok(sid, `the browser holds __Host-sid (it holds: ${cookies.map((c) => c.name).join(', ') || 'nothing'})`);
      assert.equal(sid.secure, true);
      assert.equal(sid.httpOnly, true);
      assert.equal(sid.sameSite, 'Lax');
      assert.equal(sid.path, '/');
      assert.equal(sid.domain, '127.0.0.1', 'host-only: no Domain attribute');

      await settle(seen);
      const login = seen.find((r) => r.method === 'POST' && r.path === '/login');
      assert.equal(login?.status, 303);
      const raw = login.setCookies.find((c) => c.startsWith('__Host-sid='));
      assert.ok(raw, `POST /login sent Set-Cookie: __Host-sid (got ${JSON.stringify(login.setCookies)})`);
      assert.match(raw, /;\s*Secure(;|$)/i);
      assert.match(raw, /;\s*HttpOnly(;|$)/i);
      assert.ok(seen.every((r) => r.setCookies.every((c) => /;\s*Secure(;|$)/i.test(c))), 'no cookie ever went out without Secure');

      const signedIn = `__Host-sid=${sid.value}`;
      const before = await send({ port: nginx.httpsPort, tls: true, path: '/', headers: { cookie: signedIn } });
      assert.match(before.body, /Signed in as <strong id="user">ada<\/strong>/, 'the cookie is the signed-in session');

      await signOutThroughButton(page);
      assert.equal(await shownUser(page), null, 'signed out: the sign-in form is back');
      await settle(seen);
      const logout = seen.find((r) => r.method === 'POST' && r.path === '/logout');
      const cleared = logout?.setCookies.find((c) => c.startsWith('__Host-sid='));
      assert.ok(cleared, 'POST /logout clears the cookie');
      assert.match(cleared, /^__Host-sid=;/);
      assert.match(cleared, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      assert.match(cleared, /;\s*Secure(;|$)/i, 'cleared with the attributes it was set with');
      const afterCookies = await context.cookies(nginx.origin);
      assert.ok(!afterCookies.some((c) => c.name === '__Host-sid' && c.value === sid.value), 'the browser dropped the signed-in cookie');

      const replay = await send({ port: nginx.httpsPort, tls: true, path: '/', headers: { cookie: signedIn } });
      assert.match(replay.body, /Sign in<\/button>/, 'the old cookie no longer signs anyone in');
    } finally {
      await context.close();
    }
  });

  it('speaks TLS 1.2 and 1.3 only (the control server on the same nginx accepts 1.0 and 1.1)', async () => {
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      const control = await handshake(nginx.controlPort, version);
      assert.ok(control.ok, `control: this nginx and client can speak ${version} at all (${control.detail})`);
      const refused = await handshake(nginx.httpsPort, version);
      assert.equal(refused.ok, false, `${version} must be refused, got ${refused.detail}`);
    }
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const accepted = await handshake(nginx.httpsPort, version);
      assert.deepEqual(accepted, { ok: true, detail: version });
    }
  });

  it('redirects plain http to https, sends HSTS and no version in Server', async () => {
    const plain = await send({ port: nginx.httpPort, path: '/sessions?x=1', headers: { host: '127.0.0.1' } });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.location, `${nginx.origin}/sessions?x=1`);
    assert.deepEqual(plain.setCookies, [], 'plain http never reaches the app');
    assert.equal(plain.headers.server, 'nginx');

    const home = await send({ port: nginx.httpsPort, tls: true, path: '/' });
    assert.equal(home.status, 200);
    assert.equal(home.headers['strict-transport-security'], 'max-age=63072000');
    assert.equal(home.headers.server, 'nginx');
    assert.equal(home.headers['x-powered-by'], undefined);
  });

  it("overwrites the client's proxy headers: a spoofed X-Forwarded-For / -Proto / Forwarded changes nothing", async () => {
    // The browser itself sends the forged headers on every request, the form post included.
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      extraHTTPHeaders: {
        'x-forwarded-for': '203.0.113.66',
        'x-forwarded-proto': 'http',
        forwarded: 'for=203.0.113.66;proto=http',
        'x-forwarded-ssl': 'off',
      },
    });
    try {
      const page = await context.newPage();
      const seen = recordResponses(page);
      await signInThroughForm(page, nginx.origin, 'grace');
      assert.equal(await shownUser(page), 'grace', 'the request is https, whatever the client claims');
      await settle(seen);
      const raw = seen.find((r) => r.method === 'POST' && r.path === '/login')?.setCookies.find((c) => c.startsWith('__Host-sid='));
      assert.ok(raw, 'POST /login sent Set-Cookie: __Host-sid');
      assert.match(raw, /;\s*Secure(;|$)/i);

      await page.goto(`${nginx.origin}/sessions`);
      const ipCell = (await page.locator('tbody tr td').nth(1).textContent())?.trim();
      assert.equal(ipCell, '127.0.0.1', 'the client is the address nginx saw, not the spoofed 203.0.113.66');
    } finally {
      await context.close();
    }
  });

  it('the app printed no proxy warning and nginx logged no error', () => {
    assert.doesNotMatch(demo.output, /trustProxy|holdfast:/, demo.output);
    assert.doesNotMatch(nginx.errorLog(), /\[(error|crit|alert|emerg)\]/, nginx.errorLog());
  });
});
