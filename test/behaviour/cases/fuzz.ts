/** fast-check fuzzing of the Cookie header: whatever arrives, never a 5xx, never a crash. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { call, keepAliveAgent } from '../client.ts';
import type { AppFixture } from '../fixture.ts';
import { OTHER_SECRET, boot, onlyCookie, randomId, sign, tamper } from '../harness.ts';

export const FUZZ_RUNS = 10_000;

/** Node's client refuses these in a header value; everything else (latin1, raw UTF-8 bytes) goes out as is. */
function headerSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
}

function cookieHeaderArbitrary(issued: string): fc.Arbitrary<string> {
  const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 43, maxLength: 43 });
  const value = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constant(issued),
    fc.integer({ min: 0, max: 86 }).map((i) => tamper(issued, i)),
    base64url.map((id) => sign(id)),
    base64url.map((id) => sign(id, OTHER_SECRET)),
    base64url,
    fc.constant(sign(randomId())),
    fc.string().map((s) => `"${s}"`),
    fc.string().map((s) => `${issued}${s}`),
    fc.string({ unit: 'binary' }).map((s) => encodeURIComponent(s)),
    fc.constantFrom('%', '%zz', '%00', '%E0%A4%A', '""', '"', '\\', ' '),
  );
  const name = fc.oneof(fc.constantFrom('sid', '__Host-sid', '__Secure-sid', 'SID', ' sid', 'sid ', ''), fc.string());
  const pairs = fc
    .array(fc.tuple(name, fc.constantFrom('=', '==', '', ' = '), value), { maxLength: 6 })
    .chain((list) => fc.constantFrom('; ', ';', ';;', ' ; ', ',').map((sep) => list.map(([n, eq, v]) => `${n}${eq}${v}`).join(sep)));
  const soup = fc
    .array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(';', '=', '"', 'sid', '__Host-sid=', issued, ',', ' ')), { maxLength: 12 })
    .map((parts) => parts.join(''));
  return fc.oneof(pairs, soup, fc.string({ unit: 'binary', maxLength: 4000 })).map(headerSafe);
}

export const PROXY_FUZZ_RUNS = 2_000;

const PROXY_HEADER_NAMES = ['forwarded', 'x-forwarded-proto', 'x-forwarded-for', 'x-forwarded-ssl', 'x-arr-ssl', 'front-end-https'] as const;

function proxyHeadersArbitrary(): fc.Arbitrary<Record<string, string>> {
  const piece = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('https', 'http', 'on', 'off', 'proto=https', 'for=1.2.3.4', 'for="[::1]:80"', '127.0.0.1', '::1', 'unknown', '_hidden'),
    fc.ipV4(),
    fc.ipV6(),
  );
  const value = fc
    .array(fc.tuple(piece, fc.constantFrom(',', ';', '=', ', ', '"', ' ')), { maxLength: 8 })
    .map((parts) => headerSafe(parts.map(([p, sep]) => p + sep).join('')));
  return fc.dictionary(fc.constantFrom(...PROXY_HEADER_NAMES), value, { maxKeys: 6 });
}

export function fuzzCases(fixture: AppFixture): void {
  describe('fuzzing', () => {
    it(`${FUZZ_RUNS} random Cookie headers: never a 5xx, the server never throws`, async () => {
      const h = await boot(fixture, {});
      const agent = keepAliveAgent(h.app);
      try {
        const issued = onlyCookie(await h.request('/set?key=a&value=1')).value;
        const routes = fc.constantFrom('/read', '/read', '/set?key=f&value=1', '/anon', '/push?value=z');
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(cookieHeaderArbitrary(issued), routes, async (cookie, path) => {
            runs++;
            const reply = await call(h.app, path, { cookie, agent });
            assert.equal(reply.status, 200, `${path} with Cookie: ${JSON.stringify(cookie)} → ${reply.status} ${reply.body}`);
          }),
          { numRuns: FUZZ_RUNS },
        );
        assert.equal(runs, FUZZ_RUNS);
        // The real session survived the storm.
        assert.equal((await call(h.app, '/read', { cookie: `sid=${issued}` })).status, 200);
      } finally {
        agent.destroy();
        await h.close();
      }
    });

    it(`${PROXY_FUZZ_RUNS} random proxy headers from a trusted proxy (production): never a 5xx`, async () => {
      const h = await boot(fixture, { session: { production: true, trustProxy: true } });
      const agent = keepAliveAgent(h.app);
      try {
        const routes = fc.constantFrom('/read', '/set?key=f&value=1', '/anon');
        await fc.assert(
          fc.asyncProperty(proxyHeadersArbitrary(), routes, async (headers, path) => {
            const reply = await call(h.app, path, { headers, agent });
            assert.equal(reply.status, 200, `${path} with ${JSON.stringify(headers)} → ${reply.status} ${reply.body}`);
            for (const c of reply.cookies) assert.equal(c.attrs.secure, true, 'production never sends a non-Secure cookie');
          }),
          { numRuns: PROXY_FUZZ_RUNS },
        );
      } finally {
        agent.destroy();
        await h.close();
      }
    });
  });
}
