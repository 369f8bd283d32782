/** Store failure: a hanging store and a rejecting store give a fast 503 through the framework's error path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../src/stores/memory/index.ts';
import { json } from '../client.ts';
import type { AppFixture } from '../fixture.ts';
import { onlyCookie, withApp } from '../harness.ts';
import type { FailureMode } from '../../support/counting-store.ts';

const STORE_TIMEOUT_MS = 200;

export function failureCases(fixture: AppFixture): void {
  describe('store failure', () => {
    for (const mode of ['hang', 'reject'] as const satisfies readonly FailureMode[]) {
      it(`a store that ${mode === 'hang' ? 'never answers' : 'rejects'} → 503 within storeTimeout, and the server keeps serving`, async () => {
        await withApp(fixture, { session: { storeTimeout: STORE_TIMEOUT_MS } }, async (h) => {
          const cookie = onlyCookie(await h.request('/set?key=a&value=1'));
          h.store.failure = mode;

          const cases: Array<[string, string, string | undefined]> = [
            ['GET', '/read', 'load'],
            ['GET', '/set?key=b&value=2', 'load'],
            ['POST', '/login?user=alice', 'load'],
            ['GET', '/set?key=b&value=2', undefined], // no cookie: the failing write is the commit
            ['GET', '/push?value=x', undefined],
          ];
          for (const [method, path, withCookie] of cases) {
            const started = performance.now();
            const reply = withCookie === undefined ? await h.request(path, { method }) : await h.withCookie(cookie, path, { method });
            const took = performance.now() - started;
            const what = `${method} ${path} ${withCookie === undefined ? 'without' : 'with'} a cookie`;
            assert.equal(reply.status, 503, what);
            assert.equal(reply.body, 'error', what);
            assert.equal(reply.cookies.length, 0, `${what}: no cookie for a write that did not happen`);
            if (mode === 'hang') assert.ok(took >= STORE_TIMEOUT_MS - 20, `${what}: waited the timeout (${took.toFixed(0)} ms)`);
            assert.ok(took < STORE_TIMEOUT_MS * 4 + 500, `${what}: failed fast (${took.toFixed(0)} ms)`);
          }

          // Requests that need no store still work while it is down.
          assert.equal((await h.request('/anon')).status, 200);
          assert.equal((await h.request('/read')).status, 200);

          h.store.failure = 'none';
          const read = await h.withCookie(cookie, '/read');
          assert.equal(read.status, 200);
          assert.deepEqual(json(read).data, { a: '1' }, 'nothing half-written while the store was down');
        });
      });
    }

    it('a store that answers garbage for a record: that session is treated as absent (corrupt-record), nothing breaks', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/set?key=a&value=1'));
        h.store.failure = 'garbage';
        const read = await h.withCookie(cookie, '/read');
        assert.equal(read.status, 200);
        assert.deepEqual(json(read), { userId: null, isNew: true, data: {} });
        assert.equal(h.eventsOf('rejected')[0]?.reason, 'corrupt-record');
      });
    });

    it('a record over the store size limit: the error path, no cookie, the server keeps serving', async () => {
      await withApp(fixture, { inner: new MemoryStore({ sweepInterval: 0, maxRecordBytes: 256 }) }, async (h) => {
        const big = await h.request(`/set?key=a&value=${'x'.repeat(400)}`);
        assert.equal(big.status, 500);
        assert.equal(big.body, 'error');
        assert.equal(big.cookies.length, 0);
        const small = await h.request('/set?key=a&value=1');
        const cookie = onlyCookie(small);
        const grow = await h.withCookie(cookie, `/set?key=b&value=${'y'.repeat(400)}`);
        assert.equal(grow.status, 500);
        assert.deepEqual(json(await h.withCookie(cookie, '/read')).data, { a: '1' });
      });
    });
  });
}
