/**
 * Conformance: a patch without meta (the engine's write that is not due a touch) changes the data
 * only. The stored metadata, the expiry the store enforces and the per-user index stay exactly as
 * they are, so such a write can never move an expiry backwards over a concurrent request's touch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordTooLargeError } from '../core/errors.ts';
import type { SessionStore } from '../core/store.ts';
import { anonymousMeta, data, entriesOf, fullMeta, randomKey, randomUser, record, sleep, type StoreFactory } from './fixtures.ts';

export function dataPatchTests(store: () => SessionStore, factory: StoreFactory): void {
  describe('patch without meta', () => {
    const metas = [
      ['a signed-in record', () => fullMeta()],
      ['an anonymous record', () => anonymousMeta()],
    ] as const;
    for (const [title, makeMeta] of metas) {
      it(`changes only the data of ${title}; every meta field stays`, async () => {
        const key = randomKey();
        const meta = makeMeta();
        await store().set(key, record(meta, { keep: 'k', change: 1, drop: [1] }));
        assert.equal(await store().patch(key, { set: data({ change: 2, added: true }), unset: ['drop', 'never-there'] }), true);
        const got = await store().get(key);
        assert.ok(got !== null);
        assert.deepEqual({ ...got.meta }, meta);
        assert.deepEqual(entriesOf(got.data), entriesOf(data({ keep: 'k', change: 2, added: true })));
      });
    }

    it('keeps the expiry a touch wrote after the patching request loaded the record', async () => {
      const key = randomKey();
      const meta = fullMeta();
      await store().set(key, record(meta, { a: 1 }));
      const touch = { touchedAt: meta.touchedAt + 60_000, expiresAt: meta.expiresAt + 60_000 };
      assert.equal(await store().touch(key, touch), true);
      assert.equal(await store().patch(key, { set: data({ a: 2 }), unset: [] }), true);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, { ...meta, ...touch });
    });

    it('of a missing record resolves false and creates nothing', async () => {
      const key = randomKey();
      assert.equal(await store().patch(key, { set: data({ a: 1 }), unset: ['b'] }), false);
      assert.equal(await store().get(key), null);
    });

    it('leaves the record in its user listing', async () => {
      const key = randomKey();
      const userId = randomUser();
      const meta = fullMeta({ userId });
      await store().set(key, record(meta, { a: 1 }));
      assert.equal(await store().patch(key, { set: data({ b: 2 }), unset: ['a'] }), true);
      const listed = await store().listByUser(userId);
      assert.deepEqual(
        listed.map((e) => [e.key, { ...e.meta }]),
        [[key, meta]],
      );
    });

    it('over the size limit is refused whole (RecordTooLargeError) and changes nothing', async () => {
      const key = randomKey();
      const meta = fullMeta();
      const limit = factory.maxRecordBytes ?? 1024 * 1024;
      await store().set(key, record(meta, { small: 1 }));
      await assert.rejects(store().patch(key, { set: data({ big: 'x'.repeat(limit) }), unset: ['small'] }), RecordTooLargeError);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ small: 1 })));
    });

    it('does not extend the expiry the store itself enforces', async (t) => {
      const now = Date.now();
      const key = randomKey();
      const expiresAt = now + 800;
      await store().set(key, record(fullMeta({ expiresAt }), { a: 1 }));
      assert.equal(await store().patch(key, { set: data({ a: 2 }), unset: [] }), true);
      if (factory.nativeTtl) {
        // Some stores keep whole seconds (connect-pg-simple rounds up): wait one more second.
        await sleep(Math.max(0, expiresAt + 1_600 - Date.now()));
      } else if (typeof store().sweep === 'function') {
        await store().sweep!(expiresAt + 1);
      } else {
        return t.skip('store has neither sweep() nor native TTLs');
      }
      assert.equal(await store().get(key), null);
    });
  });
}
