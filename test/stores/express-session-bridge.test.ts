/**
 * ExpressSessionStoreBridge specifics, over express-session's own MemoryStore (a real
 * express-session store; its `sessions` map shows exactly what a wrapped store receives):
 * the document layout, round trips per operation, garbage, failing and silent stores, the
 * per-user index upkeep, and the documented cross-process limit of read-modify-write.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import session from 'express-session';
import { ConfigError, CorruptRecordError, StoreError, StoreTimeoutError } from '../../src/core/errors.ts';
import { ExpressSessionStoreBridge, fromExpressSessionStore, type ExpressSessionStoreLike } from '../../src/stores/express-session/index.ts';
import { KeyLock } from '../../src/stores/express-session/key-lock.ts';
import { anonymousMeta, data, entriesOf, fullMeta, randomKey, randomUser, record, sleep } from '../../src/conformance/fixtures.ts';

type Raw = Record<string, unknown>;

/** express-session's MemoryStore, with every call counted and its raw entries readable. */
function countedStore(): { store: session.MemoryStore; calls: string[]; raw(sid: string): Raw | undefined; put(sid: string, value: unknown): void } {
  const store = new session.MemoryStore();
  const calls: string[] = [];
  for (const method of ['get', 'set', 'destroy'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => void;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.push(`${method} ${String(args[0]).startsWith('holdfast-user:') ? 'index' : 'session'}`);
      original(...args);
    };
  }
  const sessions = (store as unknown as { sessions: Record<string, string> }).sessions;
  return {
    store,
    calls,
    raw: (sid) => (sessions[sid] === undefined ? undefined : (JSON.parse(sessions[sid]) as Raw)),
    put: (sid, value) => {
      sessions[sid] = JSON.stringify(value);
    },
  };
}

const indexId = (userId: string): string => `holdfast-user:${createHash('sha256').update(userId).digest('base64url')}`;

describe('ExpressSessionStoreBridge', () => {
  it('refuses things that are not express-session stores, and bad options, with ConfigError', () => {
    for (const bad of [null, undefined, {}, { get() {}, set() {} }, { get: 1, set() {}, destroy() {} }]) {
      assert.throws(() => new ExpressSessionStoreBridge(bad as never), ConfigError);
    }
    const store = new session.MemoryStore();
    const badOptions: unknown[] = [
      { maxRecordBytes: 0 },
      { maxRecordBytes: 1.5 },
      { callTimeout: 0 },
      { callTimeout: Number.NaN },
      { api: 'sync' },
      { indexPruneThreshold: 0 },
      { indexSlack: -1 },
      { now: 5 },
    ];
    for (const options of badOptions) assert.throws(() => fromExpressSessionStore(store, options as never), ConfigError, JSON.stringify(options));
    assert.ok(fromExpressSessionStore(store) instanceof ExpressSessionStoreBridge);
  });

  it('stores an express-session style object under the store key, with cookie.expires = meta.expiresAt', async () => {
    const { store, raw } = countedStore();
    const bridge = fromExpressSessionStore(store);
    const key = randomKey();
    const meta = fullMeta();
    await bridge.set(key, record(meta, { cart: [1, 2], __proto__x: 'y' }));
    const doc = raw(key);
    assert.ok(doc !== undefined);
    const cookie = doc.cookie as Raw;
    assert.equal(cookie.expires, new Date(meta.expiresAt).toISOString());
    assert.ok(typeof cookie.originalMaxAge === 'number' && Math.abs(cookie.originalMaxAge - (meta.expiresAt - Date.now())) < 1_000);
    const holdfast = doc.holdfast as Raw;
    assert.equal(holdfast.v, 1);
    assert.deepEqual(holdfast.meta, meta);
    assert.equal(typeof holdfast.data, 'string');
    assert.deepEqual(JSON.parse(holdfast.data as string), { cart: '[1,2]', __proto__x: '"y"' });
    // The per-user index: under a colon ID no 43-character base64url key can be.
    const index = raw(indexId(meta.userId!));
    assert.ok(index !== undefined);
    assert.deepEqual((index.holdfastUserIndex as Raw).keys, [key]);
    assert.ok(new Date((index.cookie as Raw).expires as string).getTime() >= meta.expiresAt, 'the index outlives its session');
  });

  it('round trips per operation: get 1; anonymous set 1, patch 2, touch 2; signed-in adds one index read', async () => {
    const { store, calls } = countedStore();
    const bridge = fromExpressSessionStore(store);
    const count = async (fn: () => Promise<unknown>): Promise<string[]> => {
      calls.length = 0;
      await fn();
      return [...calls];
    };
    const anon = randomKey();
    assert.deepEqual(await count(() => bridge.set(anon, record(anonymousMeta(), { a: 1 }))), ['set session']);
    assert.deepEqual(await count(() => bridge.get(anon)), ['get session']);
    assert.deepEqual(await count(() => bridge.patch(anon, { set: data({ b: 2 }), unset: [], meta: anonymousMeta() })), ['get session', 'set session']);
    assert.deepEqual(await count(() => bridge.touch(anon, { touchedAt: Date.now(), expiresAt: Date.now() + 60_000 })), ['get session', 'set session']);
    assert.deepEqual(await count(() => bridge.destroy(anon)), ['destroy session']);

    const key = randomKey();
    const meta = fullMeta();
    assert.deepEqual(await count(() => bridge.set(key, record(meta, {}))), ['set session', 'get index', 'set index']);
    // Same user, expiry within the index's slack: the index is read, not rewritten.
    assert.deepEqual(await count(() => bridge.patch(key, { set: data({ b: 2 }), unset: [], meta: { ...meta, expiresAt: meta.expiresAt + 1_000 } })), [
      'get session',
      'set session',
      'get index',
    ]);
    // A touch that goes past the index's expiry pushes the index forward.
    assert.deepEqual(await count(() => bridge.touch(key, { touchedAt: Date.now(), expiresAt: meta.expiresAt + 3 * 86_400_000 })), [
      'get session',
      'set session',
      'get index',
      'set index',
    ]);
    assert.deepEqual(await count(() => bridge.patch(randomKey(), { set: data({}), unset: [], meta })), ['get session']);
  });

  it('treats anything that is not a holdfast record as CorruptRecordError (a StoreError)', async () => {
    const { store, put } = countedStore();
    const bridge = fromExpressSessionStore(store);
    const future = new Date(Date.now() + 60_000).toISOString();
    const good = { v: 1, meta: fullMeta(), data: '{}' };
    const garbage: unknown[] = [
      { cookie: { expires: future }, user: 'an express-session session' },
      { cookie: { expires: future }, holdfast: { ...good, v: 2 } },
      { cookie: { expires: future }, holdfast: { ...good, meta: { ...good.meta, createdAt: 'yesterday' } } },
      { cookie: { expires: future }, holdfast: { ...good, data: 'not json' } },
      { cookie: { expires: future }, holdfast: { ...good, data: '{"a":1}' } },
      { cookie: { expires: future }, holdfast: { ...good, data: { a: '1' } } },
      { cookie: { expires: future }, holdfast: null },
    ];
    for (const [i, value] of garbage.entries()) {
      const key = randomKey();
      put(key, value);
      await assert.rejects(bridge.get(key), CorruptRecordError, `garbage #${i}`);
      await assert.rejects(bridge.patch(key, { set: data({}), unset: [], meta: fullMeta() }), CorruptRecordError);
      await assert.rejects(bridge.touch(key, { touchedAt: 1, expiresAt: Date.now() + 1_000 }), CorruptRecordError);
    }
    const user = randomUser();
    put(indexId(user), { cookie: { expires: future }, holdfastUserIndex: { v: 1, keys: [1, 2] } });
    await assert.rejects(bridge.listByUser(user), CorruptRecordError);
    await assert.rejects(bridge.destroyByUser(user), CorruptRecordError);
    put(indexId(user), { cookie: { expires: 'never' }, holdfastUserIndex: { v: 1, keys: [] } });
    await assert.rejects(bridge.listByUser(user), CorruptRecordError);
    await assert.rejects(bridge.get(indexId(user)), StoreError, 'an index ID is not a session key');
  });

  it('a garbage record in a user index is skipped by listings and removed (uncounted) by destroyByUser', async () => {
    const { store, put, raw } = countedStore();
    const bridge = fromExpressSessionStore(store);
    const user = randomUser();
    const [live, broken] = [randomKey(), randomKey()];
    await bridge.set(live, record(fullMeta({ userId: user }), {}));
    await bridge.set(broken, record(fullMeta({ userId: user }), {}));
    put(broken, { cookie: { expires: new Date(Date.now() + 60_000).toISOString() }, holdfast: 'garbage' });
    assert.deepEqual((await bridge.listByUser(user)).map((e) => e.key), [live]);
    assert.deepEqual((raw(indexId(user))?.holdfastUserIndex as Raw).keys, [live], 'the listing pruned it');
    await bridge.set(broken, record(fullMeta({ userId: user }), {}));
    put(broken, { holdfast: 'garbage' });
    assert.equal(await bridge.destroyByUser(user), 1);
    assert.equal(raw(broken), undefined);
    assert.equal(raw(live), undefined);
    assert.equal(raw(indexId(user)), undefined, 'an emptied index is removed');
  });

  it('store failures become StoreErrors that name the operation, never the key; sync throws too', async () => {
    const key = randomKey();
    const failing: ExpressSessionStoreLike = {
      get: (_sid, cb) => setImmediate(() => cb(Object.assign(new Error(`connection lost while reading ${key}`), { code: 'ECONNRESET' }))),
      set: () => {
        throw new Error(`sync failure for ${key}`);
      },
      destroy: () => Promise.reject(new Error('promise failure')),
    };
    const bridge = fromExpressSessionStore(failing);
    const check = (op: string, code?: string) => (error: unknown) => {
      assert.ok(error instanceof StoreError, String(error));
      assert.equal(error.status, 503);
      assert.equal(error.message, `express-session store ${op} failed${code ? ` (${code})` : ''}`);
      assert.ok(error.cause instanceof Error);
      assert.ok(!error.message.includes(key));
      return true;
    };
    await assert.rejects(bridge.get(key), check('get', 'ECONNRESET'));
    await assert.rejects(bridge.set(key, record(anonymousMeta(), {})), check('set'));
    await assert.rejects(bridge.destroy(key), check('destroy'));
  });

  it('a store that never answers fails after callTimeout and does not hold the key locked', async () => {
    const inner = new session.MemoryStore();
    let hangs = 0; // how many of the next gets never call back
    const silent: ExpressSessionStoreLike = {
      get: (sid, cb) => (hangs-- > 0 ? undefined : inner.get(sid, cb)),
      set: (sid, sess, cb) => inner.set(sid, sess, cb),
      destroy: (sid, cb) => inner.destroy(sid, cb),
    };
    const bridge = fromExpressSessionStore(silent, { callTimeout: 100 });
    const key = randomKey();
    await bridge.set(key, record(anonymousMeta(), { a: 1 }));
    hangs = 1;
    const started = Date.now();
    const stuck = bridge.patch(key, { set: data({ b: 2 }), unset: [], meta: anonymousMeta() });
    const queued = bridge.patch(key, { set: data({ c: 3 }), unset: [], meta: anonymousMeta() });
    await assert.rejects(stuck, StoreTimeoutError);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(await queued, true, 'the next patch of the key ran once the lock was released');
    assert.deepEqual(entriesOf((await bridge.get(key))!.data), entriesOf(data({ a: 1, c: 3 })));
  });

  it("api: 'callback' ignores a promise that settles before the callback", async () => {
    const inner = new session.MemoryStore();
    const early: ExpressSessionStoreLike = {
      // An async method that starts a callback operation and returns at once.
      get: async (sid, cb) => void setTimeout(() => inner.get(sid, cb), 20),
      set: async (sid, sess, cb) => void setTimeout(() => inner.set(sid, sess, cb), 20),
      destroy: async (sid, cb) => void setTimeout(() => inner.destroy(sid, cb), 20),
    };
    const key = randomKey();
    const auto = fromExpressSessionStore(early);
    await auto.set(key, record(anonymousMeta(), { a: 1 }));
    await sleep(40);
    assert.equal(await auto.get(key), null, "'auto' reads the promise (documented ambiguity)");
    const byCallback = fromExpressSessionStore(early, { api: 'callback' });
    assert.ok((await byCallback.get(key)) !== null);
  });

  it('keeps the user index small: a full index is pruned of dead keys before it grows', async () => {
    const { store, raw } = countedStore();
    const bridge = fromExpressSessionStore(store, { indexPruneThreshold: 4 });
    const user = randomUser();
    const keys = Array.from({ length: 6 }, randomKey);
    for (const key of keys) await bridge.set(key, record(fullMeta({ userId: user }), {}));
    const listed = (): unknown => (raw(indexId(user))?.holdfastUserIndex as Raw).keys;
    assert.deepEqual(listed(), keys, 'all live: nothing pruned');
    for (const key of keys.slice(0, 5)) await bridge.destroy(key);
    assert.equal((listed() as string[]).length, 6, 'destroy leaves the entry for later pruning');
    const newest = randomKey();
    await bridge.set(newest, record(fullMeta({ userId: user }), {}));
    assert.deepEqual(listed(), [keys[5], newest]);
  });

  it('an index entry lost to another instance comes back with the session’s next write or touch', async () => {
    const { store, raw, put } = countedStore();
    const bridge = fromExpressSessionStore(store);
    const user = randomUser();
    const [a, b] = [randomKey(), randomKey()];
    const meta = fullMeta({ userId: user });
    await bridge.set(a, record(meta, {}));
    await bridge.set(b, record(meta, {}));
    const index = raw(indexId(user))!;
    put(indexId(user), { ...index, holdfastUserIndex: { v: 1, keys: [b] } }); // a's entry lost in a race
    assert.deepEqual((await bridge.listByUser(user)).map((e) => e.key), [b]);
    await bridge.touch(a, { touchedAt: Date.now(), expiresAt: meta.expiresAt });
    assert.deepEqual((await bridge.listByUser(user)).map((e) => e.key).sort(), [a, b].sort());
  });

  it('serialises one process: 50 concurrent patches, touches and a listing all land', async () => {
    const bridge = fromExpressSessionStore(new session.MemoryStore());
    const key = randomKey();
    const user = randomUser();
    await bridge.set(key, record(fullMeta({ userId: user }), {}));
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => bridge.patch(key, { set: data({ [`k${i}`]: i }), unset: [], meta: fullMeta({ userId: user }) })),
      ...Array.from({ length: 5 }, () => bridge.touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 3_600_000 })),
      bridge.listByUser(user).then((list) => list.length === 1),
    ]);
    assert.ok(results.every((r) => r === true));
    assert.equal(Object.keys((await bridge.get(key))!.data).length, 50);
  });

  it('documented limit: two instances (two bridges) patching one session at once can lose a change', async () => {
    const shared = new session.MemoryStore();
    const [one, two] = [fromExpressSessionStore(shared), fromExpressSessionStore(shared)];
    const key = randomKey();
    await one.set(key, record(anonymousMeta(), {}));
    await Promise.all([
      one.patch(key, { set: data({ a: 1 }), unset: [], meta: anonymousMeta() }),
      two.patch(key, { set: data({ b: 2 }), unset: [], meta: anonymousMeta() }),
    ]);
    const kept = Object.keys((await one.get(key))!.data);
    assert.ok(kept.length >= 1);
    console.log(`# two instances, concurrent patches of different keys: kept ${JSON.stringify(kept)} (read-modify-write; see docs/stores.md)`);
  });
});

describe('KeyLock', () => {
  it('runs tasks of one key in order, other keys side by side, and survives failures', async () => {
    const lock = new KeyLock();
    const order: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      order.push(`${name}+`);
      await sleep(ms);
      order.push(`${name}-`);
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = lock.run('a', task('a1', 30, true));
    const a2 = lock.run('a', task('a2', 5));
    const b1 = lock.run('b', task('b1', 5));
    await assert.rejects(a1, /a1/);
    assert.equal(await a2, 'a2');
    assert.equal(await b1, 'b1');
    assert.deepEqual(order.filter((x) => x.startsWith('a')), ['a1+', 'a1-', 'a2+', 'a2-']);
    assert.ok(order.indexOf('b1-') < order.indexOf('a1-'), 'b did not wait for a');
    await sleep(0);
    assert.equal(lock.size, 0, 'no key is kept once its work is done');
  });
});
