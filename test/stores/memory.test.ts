import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { fullMeta, randomKey, randomUser, record, sleep } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';

runStoreConformance('MemoryStore', {
  create: async () => new MemoryStore(),
  teardown: async (store) => store.close?.(),
});

runStoreConformance('MemoryStore (maxRecordBytes 4096)', {
  create: async () => new MemoryStore({ maxRecordBytes: 4096 }),
  teardown: async (store) => store.close?.(),
  maxRecordBytes: 4096,
});

/** Runs `fn` with NODE_ENV set to `value`, restoring the previous value (or its absence) after. */
function withNodeEnv<T>(value: string | undefined, fn: () => T): T {
  const previous = process.env.NODE_ENV;
  if (value === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = value;
  try {
    return fn();
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

describe('MemoryStore specifics', () => {
  // It hands its records to the engine unchecked (checked-records.ts), so it checks them on the way in.
  const malformedWrites: [string, (store: MemoryStore, key: string) => Promise<unknown>][] = [
    ['set with a time as text', (s, k) => s.set(k, { meta: { ...fullMeta(), expiresAt: '1' as unknown as number }, data: {} })],
    ['set with a negative time', (s, k) => s.set(k, { meta: fullMeta({ touchedAt: -1 }), data: {} })],
    ['set with a data value that is not text', (s, k) => s.set(k, { meta: fullMeta(), data: { a: 1 as unknown as string } })],
    ['set with no meta', (s, k) => s.set(k, { data: {} } as never)],
    ['patch with a data value that is not text', (s, k) => s.patch(k, { set: { a: {} as unknown as string }, unset: [] })],
    ['patch with a userId that is a number', (s, k) => s.patch(k, { set: {}, unset: [], meta: { ...fullMeta(), userId: 7 as unknown as string } })],
    ['touch with NaN', (s, k) => s.touch(k, { touchedAt: Number.NaN, expiresAt: Date.now() })],
  ];
  for (const [title, write] of malformedWrites) {
    it(`refuses a malformed write with a TypeError and keeps the record: ${title}`, async () => {
      const store = new MemoryStore({ sweepInterval: 0 });
      const key = randomKey();
      const meta = fullMeta();
      await store.set(key, record(meta, { a: 1 }));
      await assert.rejects(write(store, key), TypeError);
      const got = store.getSync(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual({ ...got.data }, { a: '1' });
    });
  }

  it('evicts the least recently used record beyond maxSessions', async () => {
    const store = new MemoryStore({ maxSessions: 3, sweepInterval: 0 });
    const [a, b, c, d, e] = Array.from({ length: 5 }, randomKey) as [string, string, string, string, string];
    const user = randomUser();
    for (const key of [a, b, c]) await store.set(key, record(fullMeta({ userId: user }), { key }));
    assert.ok((await store.get(a)) !== null); // a is now the most recently used; b the least
    await store.set(d, record(fullMeta({ userId: user }), {}));
    assert.equal(store.size, 3);
    assert.equal(await store.get(b), null);
    for (const key of [a, c, d]) assert.ok((await store.get(key)) !== null);
    assert.deepEqual((await store.listByUser(user)).map((x) => x.key).sort(), [a, c, d].sort());
    await store.set(e, record(fullMeta(), {}));
    assert.equal(await store.get(a), null, 'a was the least recently read of a, c, d');
    assert.equal(store.size, 3);
    await store.close();
  });

  it('is refused under NODE_ENV=production unless allowInProduction', () => {
    withNodeEnv('production', () => {
      assert.throws(
        () => new MemoryStore(),
        (error: unknown) => error instanceof ConfigError && error.code === 'ERR_HOLDFAST_CONFIG' && /allowInProduction/.test(error.message),
      );
      const store = new MemoryStore({ allowInProduction: true });
      void store.close();
    });
    for (const env of ['development', 'test', undefined]) {
      withNodeEnv(env, () => void new MemoryStore({ sweepInterval: 0 }).close());
    }
  });

  it('rejects bad options with ConfigError', () => {
    for (const options of [{ maxSessions: 0 }, { maxSessions: 1.5 }, { maxRecordBytes: 0 }, { maxRecordBytes: -1 }]) {
      assert.throws(() => new MemoryStore(options), ConfigError, JSON.stringify(options));
    }
  });

  it('sweeps expired records on its interval', async () => {
    const store = new MemoryStore({ sweepInterval: 20 });
    const [expired, live] = [randomKey(), randomKey()];
    await store.set(expired, record(fullMeta({ expiresAt: Date.now() - 1 }), {}));
    await store.set(live, record(fullMeta(), {}));
    for (let waited = 0; store.size > 1 && waited < 3_000; waited += 20) await sleep(20);
    assert.equal(store.size, 1);
    assert.ok((await store.get(live)) !== null);
    await store.close();
  });
});
