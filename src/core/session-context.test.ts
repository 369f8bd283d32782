/**
 * The write policy and change tracking of one request's session: what a commit writes (and does
 * not write) for each thing a handler can do to the data. Driven without HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, pairOf, START, type Harness } from '../../test/support/core-engine.ts';
import type { SessionPatch } from './store.ts';

type Data = Record<string, unknown>;
const data = (ctx: { session: unknown }): Data => ctx.session as Data;

/** A stored session with `initial` data; returns its cookie pair. */
async function seeded(h: Harness, initial: Data): Promise<string> {
  const ctx = await h.load();
  Object.assign(data(ctx), initial);
  const cookie = pairOf(await h.commit(ctx));
  h.store.reset();
  return cookie;
}

function onlyPatch(h: Harness): SessionPatch {
  const writes = h.store.writes;
  assert.equal(writes.length, 1, `one write, got ${writes.map((w) => w.op).join(', ')}`);
  assert.equal(writes[0]?.op, 'patch');
  return writes[0]?.args[1] as SessionPatch;
}

test('a new session with no data: no store access, no Set-Cookie, nothing pending', async () => {
  const h = harness();
  const ctx = await h.load();
  assert.equal(ctx.session.isNew, true);
  void data(ctx).nothing;
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, false);
  assert.equal(plan.setCookie, undefined);
  assert.equal(await plan.done, undefined);
  assert.deepEqual(h.store.calls, []);
});

test('fresh() is synchronous and behaves like load() without a cookie', async () => {
  const h = harness();
  const ctx = h.engine.fresh({ method: 'GET', path: '/', remoteAddress: '127.0.0.1', encrypted: true, header: () => undefined });
  data(ctx).x = 1;
  const setCookie = await h.commit(ctx);
  assert.match(setCookie ?? '', /^__Host-sid=/);
  assert.equal(h.store.of('set').length, 1);
});

test('a new session with data: one set, a cookie, and the next request sees it', async () => {
  const h = harness();
  const ctx = await h.load();
  data(ctx).cart = ['a'];
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, true);
  assert.match(plan.setCookie ?? '', /^__Host-sid=[\w-]{43}\.[\w-]{43}; Max-Age=900; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  const setCookie = await plan.done;
  assert.equal(setCookie, plan.setCookie);
  assert.deepEqual(h.store.calls.map((c) => c.op), ['set']);
  const next = await h.load(pairOf(setCookie));
  assert.equal(next.session.isNew, false);
  assert.deepEqual(data(next).cart, ['a']);
});

test('an existing session read-only: one get, zero writes, no Set-Cookie', async () => {
  const h = harness();
  const cookie = await seeded(h, { a: 1, b: { c: [1, 2] }, s: 'text' });
  h.advance(1000);
  const ctx = await h.load(cookie);
  assert.equal(data(ctx).a, 1);
  assert.deepEqual(data(ctx).b, { c: [1, 2] });
  void JSON.stringify(ctx.session);
  void Object.keys(ctx.session);
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, false);
  assert.equal(plan.setCookie, undefined);
  assert.deepEqual(h.store.calls.map((c) => c.op), ['get']);
});

test('changing one key patches only that key', async () => {
  const h = harness();
  const cookie = await seeded(h, { a: 1, b: 2, c: { deep: true } });
  const ctx = await h.load(cookie);
  void data(ctx).a;
  void data(ctx).c;
  data(ctx).b = 3;
  const setCookie = await h.commit(ctx);
  assert.equal(setCookie, undefined, 'within touchAfter: no cookie');
  const patch = onlyPatch(h);
  assert.deepEqual({ ...patch.set }, { b: '3' });
  assert.deepEqual(patch.unset, []);
  assert.equal(patch.meta, undefined, 'within touchAfter: no meta, so the stored activity time and expiry stay');

  // Due a touch: the patch carries the new expiry, and the cookie goes out with the same value.
  h.advance(61_000);
  h.store.reset();
  const later = await h.load(cookie);
  data(later).b = 4;
  const refreshed = await h.commit(later);
  assert.equal(onlyPatch(h).meta?.touchedAt, START + 61_000);
  assert.deepEqual(h.store.of('touch'), [], 'one write, not a patch and a touch');
  assert.equal(pairOf(refreshed), cookie, 'same ID, same signature');
});

test('a write that is not due a touch never moves the expiry back over a concurrent touch', async () => {
  const h = harness();
  const cookie = await seeded(h, { n: 0 });
  const early = await h.load(cookie);
  h.advance(10_000);
  const toucher = await h.load(cookie); // e.g. another instance, or an explicit touch()
  await toucher.session.touch();
  assert.match((await h.commit(toucher)) ?? '', /Max-Age/);
  h.advance(10_000);
  data(early).n = 1; // commits after the touch, not due one itself
  await h.commit(early);
  const stored = await h.store.inner.get(toucher.key);
  assert.ok(stored !== null);
  assert.equal(stored.meta.touchedAt, START + 10_000, 'the touch survives');
  assert.equal(stored.meta.expiresAt, toucher.meta.expiresAt);
  assert.equal(JSON.parse(stored.data.n as string), 1, 'and so does the write');
});

interface ChangeCase {
  name: string;
  initial: Data;
  act: (s: Data) => void;
  set?: Record<string, string>;
  unset?: string[];
}

const changes: ChangeCase[] = [
  { name: 'nested push', initial: { cart: ['a'] }, act: (s) => (s.cart as string[]).push('b'), set: { cart: '["a","b"]' } },
  { name: 'nested property', initial: { prefs: { theme: 'light' } }, act: (s) => ((s.prefs as Data).theme = 'dark'), set: { prefs: '{"theme":"dark"}' } },
  { name: 'deeply nested', initial: { a: { b: { c: [0] } } }, act: (s) => ((s.a as { b: { c: number[] } }).b.c[0] = 1), set: { a: '{"b":{"c":[1]}}' } },
  { name: 'same value assigned', initial: { n: 5, o: { x: 1 } }, act: (s) => ((s.n = 5), (s.o = { x: 1 })) },
  { name: 'primitives only read', initial: { n: 5, s: 'x', b: true, z: null }, act: (s) => void [s.n, s.s, s.b, s.z] },
  { name: 'number incremented', initial: { n: 5 }, act: (s) => (s.n = (s.n as number) + 1), set: { n: '6' } },
  { name: 'string replaced by an equal string', initial: { s: 'x' }, act: (s) => (s.s = `${'x'}`) },
  { name: 'primitive replaced by an object', initial: { n: 5 }, act: (s) => (s.n = { v: 5 }), set: { n: '{"v":5}' } },
  { name: 'mutate and restore', initial: { list: [1] }, act: (s) => ((s.list as number[]).push(2), (s.list as number[]).pop()) },
  { name: 'delete', initial: { a: 1, b: 2 }, act: (s) => delete s.a, unset: ['a'] },
  { name: 'assign undefined', initial: { a: 1, b: 2 }, act: (s) => (s.b = undefined), unset: ['b'] },
  { name: 'delete a key that was never there', initial: { a: 1 }, act: (s) => delete s.zzz },
  { name: 'undefined for a key that was never there', initial: { a: 1 }, act: (s) => (s.zzz = undefined) },
  { name: 'delete then set again', initial: { a: 1 }, act: (s) => (delete s.a, (s.a = 2)), set: { a: '2' } },
  { name: 'delete then set the same value', initial: { a: 1 }, act: (s) => (delete s.a, (s.a = 1)) },
  { name: 'set then delete', initial: { a: 1 }, act: (s) => ((s.a = 2), delete s.a), unset: ['a'] },
  { name: 'new key plus removal', initial: { a: 1 }, act: (s) => ((s.b = 'x'), delete s.a), set: { b: '"x"' }, unset: ['a'] },
  { name: 'null value', initial: { a: 1 }, act: (s) => (s.a = null), set: { a: 'null' } },
  { name: 'Date becomes its JSON', initial: { a: 1 }, act: (s) => (s.when = new Date(0)), set: { when: '"1970-01-01T00:00:00.000Z"' } },
  { name: 'Object.assign', initial: { a: 1 }, act: (s) => Object.assign(s, { a: 1, b: 2 }), set: { b: '2' } },
  { name: 'Object.defineProperty with a value', initial: { a: 1 }, act: (s) => Object.defineProperty(s, 'k', { value: 1 }), set: { k: '1' } },
];

test('change tracking table: exactly the changed and removed keys are written', async () => {
  for (const c of changes) {
    const h = harness();
    const cookie = await seeded(h, c.initial);
    const ctx = await h.load(cookie);
    c.act(data(ctx));
    const setCookie = await h.commit(ctx);
    if (c.set === undefined && c.unset === undefined) {
      assert.deepEqual(h.store.writes, [], `${c.name}: no write`);
      assert.equal(setCookie, undefined, `${c.name}: no cookie`);
      continue;
    }
    const patch = onlyPatch(h);
    assert.deepEqual({ ...patch.set }, c.set ?? {}, `${c.name}: set`);
    assert.deepEqual([...patch.unset].sort(), c.unset ?? [], `${c.name}: unset`);
    assert.equal(setCookie, undefined, `${c.name}: within touchAfter, no cookie`);
  }
});

test('removing every key keeps the record (an empty session is still a session)', async () => {
  const h = harness();
  const cookie = await seeded(h, { a: 1 });
  const ctx = await h.load(cookie);
  delete data(ctx).a;
  await h.commit(ctx);
  assert.deepEqual(onlyPatch(h).unset, ['a']);
  const next = await h.load(cookie);
  assert.equal(next.session.isNew, false);
  assert.deepEqual(Object.keys(next.session), []);
});

test('a new session where data is set then removed again makes no write', async () => {
  const h = harness();
  const ctx = await h.load();
  data(ctx).a = 1;
  delete data(ctx).a;
  data(ctx).b = undefined;
  assert.equal(await h.commit(ctx), undefined);
  assert.deepEqual(h.store.calls, []);
});

test('two requests on one session that change different keys both survive (per-key merge)', async () => {
  const h = harness();
  const cookie = await seeded(h, { base: 0 });
  const contexts = await Promise.all(Array.from({ length: 20 }, () => h.load(cookie)));
  contexts.forEach((ctx, i) => (data(ctx)[`k${i}`] = i));
  await Promise.all(contexts.map((ctx) => h.commit(ctx)));
  const after = await h.load(cookie);
  const keys = Object.keys(after.session).sort();
  assert.equal(keys.length, 21);
  for (let i = 0; i < 20; i++) assert.equal(data(after)[`k${i}`], i);
});

test('values are copied at commit: mutating after beginCommit changes nothing stored', async () => {
  const h = harness();
  const ctx = await h.load();
  const list = [1];
  data(ctx).list = list;
  const cookie = pairOf(await h.commit(ctx));
  list.push(2);
  const next = await h.load(cookie);
  assert.deepEqual(data(next).list, [1]);
});

test('beginCommit is once per response; later calls and later changes do nothing or throw', async () => {
  const h = harness();
  const ctx = await h.load();
  data(ctx).a = 1;
  await h.commit(ctx);
  const again = ctx.beginCommit();
  assert.equal(again.pending, false);
  assert.equal(again.setCookie, undefined);
  assert.throws(() => (data(ctx).b = 2), { name: 'SessionStateError' });
  assert.throws(() => delete data(ctx).a, { name: 'SessionStateError' });
  await assert.rejects(ctx.session.save(), { name: 'SessionStateError' });
  await assert.rejects(ctx.session.login('u'), { name: 'SessionStateError' });
  assert.equal(h.store.writes.length, 1);
});

test('a value JSON cannot encode makes beginCommit throw a TypeError and nothing is written', async () => {
  for (const bad of [10n, (() => {
    const loop: Data = {};
    loop.self = loop;
    return loop;
  })()]) {
    const h = harness();
    const ctx = await h.load();
    data(ctx).ok = 1;
    data(ctx).bad = bad;
    assert.throws(() => ctx.beginCommit(), TypeError);
    assert.deepEqual(h.store.calls, []);
  }
});

test('values JSON drops (functions, symbols) count as removal, like JSON.stringify', async () => {
  const h = harness();
  const cookie = await seeded(h, { a: 1, b: 2 });
  const ctx = await h.load(cookie);
  data(ctx).a = () => 1;
  data(ctx).b = Symbol('x');
  data(ctx).c = () => 2;
  await h.commit(ctx);
  const patch = onlyPatch(h);
  assert.deepEqual({ ...patch.set }, {});
  assert.deepEqual([...patch.unset].sort(), ['a', 'b']);
});

test('touch() on a session that was never stored does nothing', async () => {
  const h = harness();
  const ctx = await h.load();
  await ctx.session.touch();
  assert.equal(await h.commit(ctx), undefined);
  assert.deepEqual(h.store.calls, []);
});

test('values only read are carried over to the new record by login and regenerate (primitives included)', async () => {
  for (const act of ['login', 'regenerate'] as const) {
    const h = harness();
    const cookie = await seeded(h, { n: 5, s: 'x', o: { k: [1] } });
    const ctx = await h.load(cookie);
    void [data(ctx).n, data(ctx).s]; // read, never assigned
    if (act === 'login') await ctx.session.login('u1');
    else await ctx.session.regenerate();
    const next = pairOf(await h.commit(ctx));
    assert.notEqual(next, cookie, `${act}: new ID`);
    const again = await h.load(next);
    assert.deepEqual({ ...(again.session.toJSON() as Data) }, { n: 5, s: 'x', o: { k: [1] } }, act);
  }
});
