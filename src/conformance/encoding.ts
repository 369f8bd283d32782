/** Conformance: hostile keys, every shape of JSON text, and the record size limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordTooLargeError } from '../core/errors.ts';
import { DEFAULT_MAX_RECORD_BYTES } from '../core/record-codec.ts';
import type { SessionStore } from '../core/store.ts';
import {
  assertPrototypeClean,
  data,
  entriesOf,
  fullMeta,
  HOSTILE_KEYS,
  JSON_TEXTS,
  randomKey,
  record,
  type StoreFactory,
} from './fixtures.ts';

const tooLarge = (error: unknown): boolean => {
  assert.ok(error instanceof RecordTooLargeError, `expected RecordTooLargeError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_HOLDFAST_RECORD_TOO_LARGE');
  return true;
};

export function encodingTests(store: () => SessionStore, factory: StoreFactory): void {
  describe('hostile keys', () => {
    it('round-trip verbatim through set, into a null-prototype data object', async () => {
      const key = randomKey();
      const entries = HOSTILE_KEYS.map((k, i): [string, string] => [k, JSON.stringify({ i, k })]);
      await store().set(key, record(fullMeta(), entries));
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.equal(Object.getPrototypeOf(got.data), null, 'data objects must have a null prototype');
      assert.deepEqual(entriesOf(got.data), [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      assert.ok(Object.hasOwn(got.data, '__proto__'));
      assertPrototypeClean();
    });

    it('are written and removed one by one through patch', async () => {
      const key = randomKey();
      await store().set(key, record(fullMeta(), { plain: 1 }));
      const entries = HOSTILE_KEYS.map((k, i): [string, string] => [k, String(i)]);
      assert.equal(await store().patch(key, { set: data(entries), unset: [], meta: fullMeta() }), true);
      let got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual(entriesOf(got.data), entriesOf(data([...entries, ['plain', '1']])));
      const removed = HOSTILE_KEYS.filter((_, i) => i % 2 === 0);
      assert.equal(await store().patch(key, { set: data({}), unset: [...removed], meta: fullMeta() }), true);
      got = await store().get(key);
      assert.ok(got !== null);
      assert.equal(Object.getPrototypeOf(got.data), null);
      assert.deepEqual(entriesOf(got.data), entriesOf(data([...entries.filter(([k]) => !removed.includes(k)), ['plain', '1']])));
      assertPrototypeClean();
    });

    it('pollution attempts in values stay text', async () => {
      const key = randomKey();
      const evil = '{"__proto__":{"polluted":true}}';
      await store().set(key, record(fullMeta(), [['__proto__', evil], ['constructor', evil]]));
      await store().patch(key, { set: data([['prototype', evil], ['__proto__', evil]]), unset: [], meta: fullMeta() });
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.equal(got.data['__proto__'], evil);
      assert.equal(got.data['prototype'], evil);
      assertPrototypeClean();
    });
  });

  describe('JSON texts', () => {
    for (const [title, text] of JSON_TEXTS) {
      it(`moves ${title} verbatim through set and patch`, async () => {
        const key = randomKey();
        await store().set(key, record(fullMeta(), [['v', text]]));
        assert.equal(await store().patch(key, { set: data([['w', text]]), unset: [], meta: fullMeta() }), true);
        const got = await store().get(key);
        assert.ok(got !== null);
        assert.equal(got.data.v, text);
        assert.equal(got.data.w, text);
      });
    }
  });

  describe('record size limit', () => {
    const max = factory.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    const big = (bytes: number): string => JSON.stringify('x'.repeat(bytes));

    it('set of data over the limit rejects with RecordTooLargeError and writes nothing', async () => {
      const fresh = randomKey();
      await assert.rejects(store().set(fresh, record(fullMeta(), [['blob', big(max)]])), tooLarge);
      assert.equal(await store().get(fresh), null);
      const existing = randomKey();
      const meta = fullMeta();
      await store().set(existing, record(meta, { small: 1 }));
      await assert.rejects(store().set(existing, record(fullMeta(), [['blob', big(max)]])), tooLarge);
      const got = await store().get(existing);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ small: 1 })));
    });

    it('patch over the limit rejects and leaves the record unchanged', async () => {
      const key = randomKey();
      const meta = fullMeta();
      const half = big(Math.floor(max * 0.45));
      await store().set(key, record(meta, [['a', half], ['small', '1']]));
      // One huge key, then two keys that are each fine but too much together with what is stored.
      await assert.rejects(store().patch(key, { set: data([['blob', big(max)]]), unset: [], meta: fullMeta() }), tooLarge);
      await assert.rejects(store().patch(key, { set: data([['b', half], ['c', half]]), unset: ['small'], meta: fullMeta() }), tooLarge);
      const got = await store().get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data([['a', half], ['small', '1']])));
      // Replacing the big key (not adding to it) is within the limit.
      assert.equal(await store().patch(key, { set: data([['a', half], ['b', half]]), unset: [], meta }), true);
    });

    it('the size is exact across many patches: replacing, removing and re-adding keys never drifts', async () => {
      const key = randomKey();
      const meta = fullMeta();
      const half = big(Math.floor(max * 0.45));
      await store().set(key, record(meta, [['a', half]]));
      for (let i = 0; i < 20; i++) {
        assert.equal(await store().patch(key, { set: data([['a', half]]), unset: i % 2 === 0 ? ['a'] : [], meta }), true, `patch ${i}`);
      }
      await store().patch(key, { set: data([]), unset: ['a'], meta });
      // Two halves fit exactly when nothing else is counted.
      assert.equal(await store().patch(key, { set: data([['a', half], ['b', half]]), unset: [], meta }), true);
      await assert.rejects(store().patch(key, { set: data([['c', half]]), unset: [], meta }), tooLarge);
      assert.deepEqual(entriesOf((await store().get(key))!.data), entriesOf(data([['a', half], ['b', half]])));
    });

    it('patch over the limit of a missing record rejects or resolves false, and creates nothing', async () => {
      const key = randomKey();
      try {
        assert.equal(await store().patch(key, { set: data([['blob', big(max)]]), unset: [], meta: fullMeta() }), false);
      } catch (error) {
        tooLarge(error);
      }
      assert.equal(await store().get(key), null);
    });
  });
}
