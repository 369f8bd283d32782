/**
 * engine.open(): the synchronous load path for stores with `getSync` (MemoryStore, SqliteStore).
 * Same answers as load(), no promise when none is needed, failures still a rejected promise
 * (never a synchronous throw), and the store's own record objects are never edited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairOf, SECRET, START, view } from '../../test/support/core-engine.ts';
import { MemoryStore } from '../stores/memory/index.ts';
import { CorruptRecordError, StoreError } from './errors.ts';
import { SessionContext } from './session-context.ts';
import { createEngine, type Engine } from './sessions.ts';
import type { SessionRecord, SessionStore } from './store.ts';

type Data = Record<string, unknown>;

/** A MemoryStore whose getSync can be made to throw or answer junk; counts both reads. */
class SyncStore extends MemoryStore {
  mode: 'none' | 'throw' | 'garbage' = 'none';
  syncReads = 0;
  asyncReads = 0;
  override getSync(key: string): SessionRecord | null {
    this.syncReads++;
    if (this.mode === 'throw') throw new Error('disk on fire');
    if (this.mode === 'garbage') return { meta: { createdAt: 'yesterday' }, data: 7 } as unknown as SessionRecord;
    return super.getSync(key);
  }
  override get(key: string): Promise<SessionRecord | null> {
    this.asyncReads++;
    return super.get(key);
  }
}

function engineOver(store: SessionStore, clock = () => START): { engine: Engine; events: Record<string, unknown>[] } {
  const engine = createEngine({ secrets: SECRET, production: false, store, clock }, () => store);
  const events: Record<string, unknown>[] = [];
  for (const name of ['rejected', 'expired'] as const) engine.on(name, (e) => events.push(e as unknown as Record<string, unknown>));
  return { engine, events };
}

/** The store's promise methods only (a network store, as the engine sees it). */
function asyncOnly(inner: MemoryStore): SessionStore {
  return {
    get: (k) => inner.get(k),
    set: (k, r) => inner.set(k, r),
    patch: (k, p) => inner.patch(k, p),
    touch: (k, m) => inner.touch(k, m),
    destroy: (k) => inner.destroy(k),
    listByUser: (u) => inner.listByUser(u),
    destroyByUser: (u, e) => inner.destroyByUser(u, e),
  };
}

async function commit(ctx: SessionContext): Promise<string | undefined> {
  const plan = ctx.beginCommit();
  return plan.pending ? plan.done : plan.setCookie;
}

async function signedIn(engine: Engine, data: Data = { a: 1 }): Promise<string> {
  const ctx = engine.fresh(view());
  Object.assign(ctx.session, data);
  return pairOf(await commit(ctx));
}

test('a store with getSync is read synchronously: open() returns the context itself', async () => {
  const store = new SyncStore({ sweepInterval: 0 });
  const { engine } = engineOver(store);
  const cookie = await signedIn(engine, { a: 1 });
  const opened = engine.open(view({ cookie }));
  assert.ok(opened instanceof SessionContext, 'not a promise');
  assert.equal((opened.session as unknown as Data).a, 1);
  assert.equal(opened.session.isNew, false);
  assert.deepEqual([store.syncReads, store.asyncReads], [1, 0]);
  // load() answers the same through a promise.
  const loaded = await engine.load(view({ cookie }));
  assert.equal((loaded.session as unknown as Data).a, 1);
});

test('a store without getSync is read through get: open() returns a promise', async () => {
  const { engine } = engineOver(asyncOnly(new MemoryStore({ sweepInterval: 0 })));
  const cookie = await signedIn(engine);
  const opened = engine.open(view({ cookie }));
  assert.ok(opened instanceof Promise);
  assert.equal(((await opened).session as unknown as Data).a, 1);
});

test('no usable cookie: a fresh context at once, without reading the store', () => {
  const store = new SyncStore({ sweepInterval: 0 });
  const { engine } = engineOver(store);
  for (const cookie of [undefined, 'theme=dark', 'sid=malformed', `sid=${'A'.repeat(43)}.${'B'.repeat(43)}`]) {
    const opened = engine.open(view({ cookie, secure: false }));
    assert.ok(opened instanceof SessionContext);
    assert.equal(opened.session.isNew, true);
  }
  assert.equal(store.syncReads, 0);
});

test('a getSync that throws: a rejected promise with a StoreError (503), never a synchronous throw', async () => {
  const store = new SyncStore({ sweepInterval: 0 });
  const { engine } = engineOver(store);
  const cookie = await signedIn(engine);
  store.mode = 'throw';
  let opened: ReturnType<Engine['open']> | undefined;
  assert.doesNotThrow(() => {
    opened = engine.open(view({ cookie }));
  });
  assert.ok(opened instanceof Promise);
  await assert.rejects(opened, (error: unknown) => {
    assert.ok(error instanceof StoreError && !(error instanceof CorruptRecordError));
    assert.equal(error.status, 503);
    assert.equal((error.cause as Error).message, 'disk on fire');
    assert.ok(!error.message.includes(cookie.slice(cookie.indexOf('=') + 1, cookie.indexOf('.'))), 'no ID in the message');
    return true;
  });
});

test('a getSync that answers garbage: no session, a rejected event (corrupt-record), synchronously', async () => {
  const store = new SyncStore({ sweepInterval: 0 });
  const { engine, events } = engineOver(store);
  const cookie = await signedIn(engine);
  store.mode = 'garbage';
  const opened = engine.open(view({ cookie }));
  assert.ok(opened instanceof SessionContext);
  assert.equal(opened.session.isNew, true);
  assert.deepEqual(events.map((e) => e.reason), ['corrupt-record']);
});

test('unknown and expired sessions on the synchronous path: fresh context plus event', async () => {
  let now = START;
  const store = new SyncStore({ sweepInterval: 0 });
  const { engine, events } = engineOver(store, () => now);
  const cookie = await signedIn(engine);
  now += 60 * 60 * 1000; // past the anonymous timeout
  const expired = engine.open(view({ cookie }));
  assert.ok(expired instanceof SessionContext && expired.session.isNew);
  await new Promise((resolve) => setImmediate(resolve)); // the best-effort destroy of the dead record
  const unknown = engine.open(view({ cookie }));
  assert.ok(unknown instanceof SessionContext && unknown.session.isNew);
  assert.deepEqual(
    events.map((e) => [e.type, e.reason]),
    [
      ['expired', 'anonymous'],
      ['rejected', 'unknown'],
    ],
  );
});

test("the store's own record is never edited: writes, removals and touches build new objects", async () => {
  let now = START;
  const records: SessionRecord[] = [];
  const store = new (class extends MemoryStore {
    override getSync(key: string): SessionRecord | null {
      const record = super.getSync(key);
      if (record === null) return null;
      // Frozen: any edit by the engine throws (strict mode) instead of passing silently.
      const frozen = { meta: Object.freeze({ ...record.meta }), data: Object.freeze(record.data) };
      records.push(frozen);
      return frozen;
    }
  })({ sweepInterval: 0 });
  const { engine } = engineOver(store, () => now);
  const cookie = await signedIn(engine, { keep: 1, drop: 2, change: [1] });
  const steps: ((s: Data) => void)[] = [
    (s) => {
      (s.change as number[]).push(2);
      s.added = 'x';
      delete s.drop;
    },
    () => {
      now += 2 * 60 * 1000; // due a touch
    },
    (s) => {
      s.keep = 'changed';
    },
  ];
  for (const step of steps) {
    const ctx = engine.open(view({ cookie }));
    assert.ok(ctx instanceof SessionContext);
    step(ctx.session as unknown as Data);
    await commit(ctx);
  }
  const last = engine.open(view({ cookie }));
  assert.ok(last instanceof SessionContext);
  assert.deepEqual({ ...(last.session.toJSON() as Data) }, { keep: 'changed', change: [1, 2], added: 'x' });
  assert.equal(records.length, 4);
});

/** A MemoryStore whose synchronous writes can be made to throw; counts both kinds of write. */
class SyncWriteStore extends MemoryStore {
  failWrites = false;
  sync = 0;
  async = 0;
  override patchSync(key: string, patch: Parameters<MemoryStore['patchSync']>[1]): boolean {
    this.sync++;
    if (this.failWrites) throw new Error('disk full');
    return super.patchSync(key, patch);
  }
  override touchSync(key: string, meta: Parameters<MemoryStore['touchSync']>[1]): boolean {
    this.sync++;
    if (this.failWrites) throw new Error('disk full');
    return super.touchSync(key, meta);
  }
  override patch(key: string, patch: Parameters<MemoryStore['patch']>[1]): Promise<boolean> {
    this.async++;
    return super.patch(key, patch);
  }
  override touch(key: string, meta: Parameters<MemoryStore['touch']>[1]): Promise<boolean> {
    this.async++;
    return super.touch(key, meta);
  }
}

test('a store with patchSync/touchSync: the commit is done when beginCommit returns (not pending)', async () => {
  let now = START;
  const store = new SyncWriteStore({ sweepInterval: 0 });
  const { engine } = engineOver(store, () => now);
  const cookie = await signedIn(engine, { a: 1 });

  const change = engine.open(view({ cookie })) as SessionContext;
  (change.session as unknown as Data).a = 2;
  const plan = change.beginCommit();
  assert.equal(plan.pending, false);
  assert.equal(plan.setCookie, undefined, 'within touchAfter: no cookie');
  assert.equal((await store.get(change.key))?.data.a, '2', 'written before beginCommit returned');

  now += 61_000;
  const touch = engine.open(view({ cookie })) as SessionContext;
  const touched = touch.beginCommit();
  assert.equal(touched.pending, false);
  assert.equal(pairOf(touched.setCookie), cookie, 'a touch re-sends the same cookie');
  assert.equal((await store.get(touch.key))?.meta.touchedAt, now);
  assert.deepEqual([store.sync, store.async], [2, 0]);
});

test('a synchronous write that throws: a pending plan whose done rejects with a StoreError, no cookie', async () => {
  const store = new SyncWriteStore({ sweepInterval: 0 });
  const { engine } = engineOver(store);
  const cookie = await signedIn(engine, { a: 1 });
  store.failWrites = true;
  const ctx = engine.open(view({ cookie })) as SessionContext;
  (ctx.session as unknown as Data).a = 2;
  let plan: ReturnType<SessionContext['beginCommit']> | undefined;
  assert.doesNotThrow(() => {
    plan = ctx.beginCommit();
  });
  assert.equal(plan?.pending, true);
  await assert.rejects(plan!.done, (error: unknown) => error instanceof StoreError && (error.cause as Error).message === 'disk full');
  store.failWrites = false;
  assert.equal((await store.get(ctx.key))?.data.a, '1', 'nothing written');
});

test('a record revoked between load and a synchronous commit is not resurrected', async () => {
  const store = new SyncWriteStore({ sweepInterval: 0 });
  const { engine } = engineOver(store);
  const cookie = await signedIn(engine, { a: 1 });
  const ctx = engine.open(view({ cookie })) as SessionContext;
  await store.destroy(ctx.key);
  (ctx.session as unknown as Data).a = 2;
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, false);
  assert.equal(plan.setCookie, undefined);
  assert.equal(store.size, 0, 'no record came back');
});

test('after the commit the session still reads what was committed (changed, removed and untouched keys)', async () => {
  for (const store of [new MemoryStore({ sweepInterval: 0 }), asyncOnly(new MemoryStore({ sweepInterval: 0 }))]) {
    const { engine } = engineOver(store);
    const cookie = await signedIn(engine, { keep: 1, change: 1, drop: 1 });
    const opened = await engine.open(view({ cookie }));
    const s = opened.session as unknown as Data;
    s.change = 2;
    delete s.drop;
    s.added = 'x';
    const plan = opened.beginCommit();
    if (plan.pending) await plan.done;
    assert.deepEqual({ ...(opened.session.toJSON() as Data) }, { keep: 1, change: 2, added: 'x' });
    assert.equal(s.drop, undefined);
    assert.equal('drop' in s, false);
    assert.deepEqual(Object.keys(s).sort(), ['added', 'change', 'keep']);
  }
});
