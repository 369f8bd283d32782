/** Cookie name and attributes per transport (direct TLS, plain http, trusted and untrusted proxies) and Cache-Control. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFixture } from '../fixture.ts';
import { ANON_S, IDLE_S, onlyCookie, withApp } from '../harness.ts';
import type { SetCookie } from '../client.ts';

/** The five ways a TLS-terminating proxy says "the client used https". */
export const PROXY_HEADERS: ReadonlyArray<[string, string]> = [
  ['Forwarded', 'proto=https'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Ssl', 'on'],
  ['X-ARR-SSL', '2048|256|C=US, O=Microsoft Corporation, CN=Microsoft Azure TLS Issuing CA 01|CN=*.azurewebsites.net'],
  ['Front-End-Https', 'on'],
];

function assertSecureHostCookie(cookie: SetCookie, maxAge: number): void {
  assert.equal(cookie.name, '__Host-sid');
  assert.equal(cookie.attrs.path, '/');
  assert.equal(cookie.attrs.httponly, true);
  assert.equal(cookie.attrs.secure, true);
  assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'lax');
  assert.equal(cookie.attrs.domain, undefined, 'a __Host- cookie has no Domain');
  assert.equal(cookie.attrs['max-age'], String(maxAge));
  assert.match(cookie.value, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
}

export function cookieCases(fixture: AppFixture): void {
  describe('cookie attributes', () => {
    it('direct TLS: __Host-sid, Path=/, HttpOnly, Secure, SameSite=Lax, no Domain, Max-Age = time left', async () => {
      await withApp(fixture, { tls: true, session: { production: true } }, async (h) => {
        const first = await h.request('/set?key=a&value=1');
        assert.equal(first.status, 200);
        const anon = onlyCookie(first);
        assertSecureHostCookie(anon, ANON_S);

        h.clock.advance('10s');
        const login = await h.withCookie(anon, '/login?user=alice', { method: 'POST' });
        assert.equal(login.status, 200);
        assertSecureHostCookie(onlyCookie(login), IDLE_S);

        const read = await h.withCookie(onlyCookie(login), '/read');
        assert.deepEqual(JSON.parse(read.body), { userId: 'alice', isNew: false, data: { a: '1' } });
        assert.equal(h.warnings.length, 0, h.warnings.join('\n'));
      });
    });

    it('plain http in development: sid without Secure', async () => {
      await withApp(fixture, { session: { production: false } }, async (h) => {
        const reply = await h.request('/set?key=a&value=1');
        const cookie = onlyCookie(reply);
        assert.equal(cookie.name, 'sid');
        assert.equal(cookie.attrs.secure, undefined);
        assert.equal(cookie.attrs.httponly, true);
        assert.equal(cookie.attrs.path, '/');
        assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'lax');
        assert.equal(cookie.attrs.domain, undefined);
        assert.equal(cookie.attrs['max-age'], String(ANON_S));
        const read = await h.withCookie(cookie, '/read');
        assert.deepEqual(JSON.parse(read.body).data, { a: '1' });
      });
    });

    it('plain http in production: no cookie at all and one warning naming the fix', async () => {
      await withApp(fixture, { session: { production: true } }, async (h) => {
        for (let i = 0; i < 2; i++) {
          const reply = await h.request('/set?key=a&value=1');
          assert.equal(reply.status, 200);
          assert.equal(reply.cookies.length, 0, 'never downgrade to a non-Secure cookie');
        }
        assert.equal(h.store.writes, 0, 'a session that cannot get a cookie is not stored');
        assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
        assert.match(h.warnings[0] as string, /https|trustProxy/);
      });
    });

    it('plain http in development behind an untrusted proxy: sid still works, and one warning says how to trust the proxy', async () => {
      await withApp(fixture, { session: { production: false } }, async (h) => {
        for (let i = 0; i < 2; i++) {
          const reply = await h.request('/set?key=a&value=1', { headers: { 'X-Forwarded-Proto': 'https' } });
          assert.equal(onlyCookie(reply).name, 'sid');
          assert.equal(onlyCookie(reply).attrs.secure, undefined);
        }
        assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
        assert.match(h.warnings[0] as string, /trustProxy: 1/);
      });
    });

    for (const [name, value] of PROXY_HEADERS) {
      it(`behind a trusted proxy (trustProxy: 1) with ${name}: Secure __Host-sid`, async () => {
        await withApp(fixture, { session: { production: true, trustProxy: 1 } }, async (h) => {
          const reply = await h.request('/set?key=a&value=1', { headers: { [name]: value } });
          assertSecureHostCookie(onlyCookie(reply), ANON_S);
          const read = await h.withCookie(onlyCookie(reply), '/read', { headers: { [name]: value } });
          assert.deepEqual(JSON.parse(read.body).data, { a: '1' });
          assert.equal(h.warnings.length, 0, h.warnings.join('\n'));
        });
      });

      it(`behind a proxy trusted by the framework's own setting with ${name}: Secure __Host-sid`, { skip: fixture.capabilities?.frameworkTrust !== true && 'the framework has no proxy-trust setting' }, async () => {
        await withApp(fixture, { session: { production: true }, trustProxyFromFramework: 1 }, async (h) => {
          const reply = await h.request('/set?key=a&value=1', { headers: { [name]: value } });
          assertSecureHostCookie(onlyCookie(reply), ANON_S);
        });
      });

      it(`behind an untrusted proxy with ${name}: no cookie, exactly one warning for two requests, naming the fix`, async () => {
        await withApp(fixture, { session: { production: true } }, async (h) => {
          for (let i = 0; i < 2; i++) {
            const reply = await h.request('/set?key=a&value=1', { headers: { [name]: value } });
            assert.equal(reply.status, 200);
            assert.equal(reply.cookies.length, 0);
          }
          assert.equal(h.warnings.length, 1, h.warnings.join('\n'));
          assert.match(h.warnings[0] as string, /trustProxy: (1|true)/, 'the warning names the fix');
          assert.ok((h.warnings[0] as string).toLowerCase().includes(name.toLowerCase()), 'the warning names the header seen');
        });
      });
    }
  });

  describe('Cache-Control', () => {
    it('a response that sets the cookie gets no-store; a stricter app value stays; reads without Set-Cookie get none', async () => {
      await withApp(fixture, {}, async (h) => {
        const set = await h.request('/set?key=a&value=1');
        assert.equal(set.headers['cache-control'], 'no-store');
        const cookie = onlyCookie(set);

        const cache = await h.request('/cache');
        assert.equal(cache.cookies.length, 1);
        assert.equal(cache.headers['cache-control'], 'private, no-store, max-age=0');

        const read = await h.withCookie(cookie, '/read');
        assert.equal(read.cookies.length, 0);
        assert.doesNotMatch(String(read.headers['cache-control'] ?? ''), /no-store/);

        const anon = await h.request('/anon');
        assert.equal(anon.cookies.length, 0);
        assert.doesNotMatch(String(anon.headers['cache-control'] ?? ''), /no-store/);

        const logout = await h.withCookie(cookie, '/logout', { method: 'POST' });
        assert.equal(logout.cookies.length, 1);
        assert.equal(logout.headers['cache-control'], 'no-store', 'clearing the cookie is setting it too');
      });
    });
  });
}
