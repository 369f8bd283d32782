/**
 * Conformance for the optional synchronous read (`getSync`): it answers exactly what `get`
 * answers, synchronously, and what it hands out is never edited afterwards (the engine keeps it
 * without a copy for the length of a request). Stores without `getSync` skip these cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord, SessionStore } from '../core/store.ts';
import { anonymousMeta, data, entriesOf, fullMeta, HOSTILE_KEYS, randomKey, record } from './fixtures.ts';

/** A deep copy to compare against later (data keeps its null prototype). */
function copyOf(r: SessionRecord): { meta: object; data: [string, string][] } {
  return { meta: { ...r.meta }, data: entriesOf(r.data) };
}

export function syncReadTests(store: () => SessionStore): void {
  describe('getSync (optional synchronous read)', () => {
    const skip = (): string | false => (typeof store().getSync === 'function' ? false : 'this store has no getSync');
    const getSync = (key: string): SessionRecord | null => (store().getSync as (key: string) => SessionRecord | null).call(store(), key);

    it('answers null for a missing key, synchronously', (t) => {
      if (skip()) return t.skip(skip() as string);
      const got = getSync(randomKey());
      assert.equal(got, null);
    });

    it('answers what get answers: meta, data, hostile keys, a null-prototype data map', async (t) => {
      if (skip()) return t.skip(skip() as string);
      const key = randomKey();
      const entries = HOSTILE_KEYS.map((k, i): [string, string] => [k, JSON.stringify({ i })]);
      await store().set(key, record(fullMeta(), entries));
      const sync = getSync(key);
      assert.ok(sync !== null && !(sync instanceof Promise), 'a record, not a promise');
      assert.equal(Object.getPrototypeOf(sync.data), null);
      const viaGet = await store().get(key);
      assert.ok(viaGet !== null);
      assert.deepEqual({ ...sync.meta }, { ...viaGet.meta });
      assert.deepEqual(entriesOf(sync.data), entriesOf(viaGet.data));
    });

    it('sees every write at once: set, patch, touch, destroy', async (t) => {
      if (skip()) return t.skip(skip() as string);
      const key = randomKey();
      await store().set(key, record(anonymousMeta(), { a: 1 }));
      const meta = fullMeta();
      assert.equal(await store().patch(key, { set: data({ b: 2 }), unset: ['a'], meta }), true);
      assert.deepEqual(entriesOf(getSync(key)!.data), entriesOf(data({ b: 2 })));
      assert.deepEqual({ ...getSync(key)!.meta }, meta);
      assert.equal(await store().touch(key, { touchedAt: meta.touchedAt + 1, expiresAt: meta.expiresAt + 1 }), true);
      assert.equal(getSync(key)!.meta.expiresAt, meta.expiresAt + 1);
      await store().destroy(key);
      assert.equal(getSync(key), null);
    });

    it('never edits a record it handed out: later writes replace, they do not mutate', async (t) => {
      if (skip()) return t.skip(skip() as string);
      const key = randomKey();
      await store().set(key, record(fullMeta(), { a: 1, b: 2 }));
      const held = getSync(key)!;
      const before = copyOf(held);
      await store().patch(key, { set: data({ a: 'changed', c: 3 }), unset: ['b'], meta: anonymousMeta() });
      await store().touch(key, { touchedAt: 1, expiresAt: 8_640_000_000_000 });
      await store().set(key, record(fullMeta(), { z: 0 }));
      assert.deepEqual(copyOf(held), before);
    });
  });
}
