/** Conformance: reading, writing, merging, touching and removing one record. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionMeta, SessionStore } from '../core/store.ts';
import { anonymousMeta, data, entriesOf, fullMeta, randomKey, record } from './fixtures.ts';

export function recordTests(store: () => SessionStore): void {
  describe('get / set', () => {
    it('get of a missing key resolves null', async () => {
      assert.equal(await store().get(randomKey()), null);
    });

    const cases: [string, () => SessionMeta, Record<string, unknown>][] = [
      ['anonymous meta (nulls) and empty data', () => anonymousMeta(), {}],
      ['full meta and data', () => fullMeta(), { cart: [1, 2, 3], theme: 'dark', n: 7, ok: true, none: null }],
      ['auth time without ip/user agent', () => fullMeta({ ip: null, userAgent: null }), { a: { b: { c: 'd' } } }],
      ['times at epoch 0 and far future', () => fullMeta({ createdAt: 0, authAt: 0, touchedAt: 0, expiresAt: 8_640_000_000_000 }), { x: 1 }],
      ['long user agent and IPv6', () => fullMeta({ userAgent: 'u'.repeat(256), ip: '2001:db8::1' }), { x: 'y' }],
    ];
    for (const [title, makeMeta, entries] of cases) {
      it(`round-trips ${title}`, async () => {
        const key = randomKey();
        const meta = makeMeta();
        await store().set(key, record(meta, entries));
        const got = await store().get(key);
        assert.ok(got !== null);
        assert.deepEqual({ ...got.meta }, meta);
        assert.deepEqual(entriesOf(got.data), entriesOf(data(entries)));
      });
    }

    it('set replaces the whole record: old keys and meta are gone', async () => {
      const key = randomKey();
      await store().set(key, record(fullMeta(), { a: 1, b: 2, c: 3 }));
      const meta = anonymousMeta({ createdAt: 1, touchedAt: 2 });
      await store().set(key, record(meta, { c: 'new', d: 4 }));
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ c: 'new', d: 4 })));
    });
  });

  describe('patch', () => {
    it('writes only the named keys, removes unset keys and replaces meta', async () => {
      const key = randomKey();
      await store().set(key, record(anonymousMeta(), { keep: 'k', change: 1, drop: 'x', drop2: [1] }));
      const meta = fullMeta();
      const ok = await store().patch(key, { set: data({ change: 2, added: { z: true } }), unset: ['drop', 'drop2', 'never-there'], meta });
      assert.equal(ok, true);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ keep: 'k', change: 2, added: { z: true } })));
    });

    it('an empty patch only replaces meta', async () => {
      const key = randomKey();
      await store().set(key, record(fullMeta(), { a: 1 }));
      const meta = anonymousMeta();
      assert.equal(await store().patch(key, { set: data({}), unset: [], meta }), true);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ a: 1 })));
    });

    it('a patch can remove every key', async () => {
      const key = randomKey();
      await store().set(key, record(fullMeta(), { a: 1, b: 2 }));
      assert.equal(await store().patch(key, { set: data({}), unset: ['a', 'b'], meta: fullMeta() }), true);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual(entriesOf(got.data), []);
    });

    it('a patch of a missing record resolves false and creates nothing', async () => {
      const key = randomKey();
      const meta = fullMeta();
      assert.equal(await store().patch(key, { set: data({ a: 1 }), unset: ['b'], meta }), false);
      assert.equal(await store().get(key), null);
      assert.deepEqual(await store().listByUser(meta.userId as string), []);
    });

    it('20 concurrent patches of different keys all survive', async () => {
      const key = randomKey();
      const userId = fullMeta().userId;
      await store().set(key, record(fullMeta({ userId }), { base: 0 }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().patch(key, { set: data({ [`k${i}`]: i }), unset: [], meta: fullMeta({ userId, touchedAt: 1000 + i }) })),
      );
      assert.deepEqual(results, Array(20).fill(true));
      const got = await store().get(key);
      assert.ok(got !== null);
      const expected: Record<string, unknown> = { base: 0 };
      for (let i = 0; i < 20; i++) expected[`k${i}`] = i;
      assert.deepEqual(entriesOf(got.data), entriesOf(data(expected)));
    });
  });

  describe('touch / destroy', () => {
    it('touch moves touchedAt and expiresAt only', async () => {
      const key = randomKey();
      const meta = fullMeta();
      await store().set(key, record(meta, { a: 'b' }));
      const touch = { touchedAt: meta.touchedAt + 60_000, expiresAt: meta.expiresAt + 60_000 };
      assert.equal(await store().touch(key, touch), true);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, { ...meta, ...touch });
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ a: 'b' })));
    });

    it('touch of a missing record resolves false and creates nothing', async () => {
      const key = randomKey();
      assert.equal(await store().touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 60_000 }), false);
      assert.equal(await store().get(key), null);
    });

    it('destroy removes the record; destroying a missing one is fine', async () => {
      const key = randomKey();
      await store().set(key, record(fullMeta(), { a: 1 }));
      await store().destroy(key);
      assert.equal(await store().get(key), null);
      await store().destroy(key);
      await store().destroy(randomKey());
      assert.equal(await store().patch(key, { set: data({ a: 2 }), unset: [], meta: fullMeta() }), false);
      assert.equal(await store().get(key), null);
    });
  });

  describe('copies', () => {
    it('mutating a returned record does not change the store', async () => {
      const key = randomKey();
      const meta = fullMeta();
      await store().set(key, record(meta, { a: 1 }));
      const first = await store().get(key);
      assert.ok(first !== null);
      first.data.a = '"mutated"';
      first.data.extra = '1';
      first.meta.userId = 'someone-else';
      first.meta.expiresAt = 0;
      const second = await store().get(key);
      assert.ok(second !== null);
      assert.deepEqual({ ...second.meta }, meta);
      assert.deepEqual(entriesOf(second.data), entriesOf(data({ a: 1 })));
    });

    it('a returned record is not changed by later writes (the engine keeps it for the request)', async () => {
      const key = randomKey();
      const meta = fullMeta();
      await store().set(key, record(meta, { a: 1, b: 2 }));
      const held = await store().get(key);
      assert.ok(held !== null);
      await store().patch(key, { set: data({ a: 'changed', c: 3 }), unset: ['b'], meta: anonymousMeta() });
      await store().touch(key, { touchedAt: 1, expiresAt: meta.expiresAt + 1 });
      await store().set(key, record(fullMeta(), { z: 0 }));
      assert.deepEqual({ ...held.meta }, meta);
      assert.deepEqual(entriesOf(held.data), entriesOf(data({ a: 1, b: 2 })));
    });

    it('mutating the objects passed to set or patch afterwards does not change the store', async () => {
      const key = randomKey();
      const meta = fullMeta();
      const input = record({ ...meta }, { a: 1 });
      await store().set(key, input);
      input.data.a = '"mutated"';
      input.meta.userId = 'someone-else';
      const patch = { set: data({ b: 2 }), unset: [] as string[], meta: { ...meta } };
      await store().patch(key, patch);
      patch.set.b = '"mutated"';
      patch.meta.touchedAt = 0;
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ a: 1, b: 2 })));
    });
  });
}
