/** Conformance: expired records are cleaned up, by `sweep(now)` or by the store's own TTL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionStore } from '../core/store.ts';
import { fullMeta, randomKey, randomUser, record, sleep, type StoreFactory } from './fixtures.ts';

export function expiryTests(store: () => SessionStore, factory: StoreFactory): void {
  describe('expiry', () => {
    it('sweep(now) removes records whose expiresAt has passed and keeps the others', async (t) => {
      if (typeof store().sweep !== 'function') {
        if (factory.nativeTtl) return t.skip('store has no sweep(); it relies on native TTLs (tested below)');
        assert.fail('store has neither sweep() nor native TTLs: expired records would never be removed');
      }
      const user = randomUser();
      const now = Date.now();
      const [expired, expiredIndexed, live] = [randomKey(), randomKey(), randomKey()];
      // A store with native TTLs may drop an already-expired record at once; give it one that
      // expires a little later and sweep "later". Others get a record that is already past.
      const expiresAt = factory.nativeTtl ? now + 2_000 : now - 1_000;
      const sweepAt = factory.nativeTtl ? now + 2_000 : Date.now();
      await store().set(expired, record(fullMeta({ userId: null, expiresAt }), { a: 1 }));
      await store().set(expiredIndexed, record(fullMeta({ userId: user, expiresAt }), { a: 1 }));
      await store().set(live, record(fullMeta({ userId: user, expiresAt: now + 3_600_000 }), { a: 1 }));
      const removed = await store().sweep!(sweepAt);
      assert.ok(removed >= 2, `sweep reported ${removed} removals`);
      assert.equal(await store().get(expired), null);
      assert.equal(await store().get(expiredIndexed), null);
      assert.ok((await store().get(live)) !== null);
      assert.deepEqual((await store().listByUser(user)).map((e) => e.key), [live]);
    });

    it('a record with a short expiry is gone after it passes (native TTL)', async (t) => {
      if (!factory.nativeTtl) return t.skip('store has no native TTL; expiry goes through sweep() (tested above)');
      const user = randomUser();
      const [short, live] = [randomKey(), randomKey()];
      await store().set(short, record(fullMeta({ userId: user, expiresAt: Date.now() + 400 }), { a: 1 }));
      await store().set(live, record(fullMeta({ userId: user }), { a: 1 }));
      await sleep(1_500);
      assert.equal(await store().get(short), null);
      assert.ok((await store().get(live)) !== null);
      assert.deepEqual((await store().listByUser(user)).map((e) => e.key), [live]);
    });

    it('touch that moves expiresAt forward keeps a record past its old expiry', async (t) => {
      const now = Date.now();
      const key = randomKey();
      if (factory.nativeTtl) {
        await store().set(key, record(fullMeta({ expiresAt: now + 600 }), { a: 1 }));
        assert.equal(await store().touch(key, { touchedAt: now, expiresAt: now + 3_600_000 }), true);
        await sleep(1_000);
      } else if (typeof store().sweep === 'function') {
        await store().set(key, record(fullMeta({ expiresAt: now + 1_000 }), { a: 1 }));
        assert.equal(await store().touch(key, { touchedAt: now, expiresAt: now + 3_600_000 }), true);
        await store().sweep!(now + 2_000);
      } else {
        return t.skip('store has neither sweep() nor native TTLs');
      }
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.equal(got.meta.expiresAt, now + 3_600_000);
    });
  });
}
