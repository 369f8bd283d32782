/**
 * The `session` object applications see: reserved names, hostile keys, and what enumeration,
 * JSON and inspection reveal (data, never the ID).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { harness, pairOf } from '../../test/support/core-engine.ts';
import { RESERVED_NAMES } from './session-types.ts';

type Data = Record<string, unknown>;

test('assigning or deleting a reserved name throws a TypeError that says why', async () => {
  const h = harness();
  const ctx = await h.load();
  const s = ctx.session as unknown as Data;
  for (const name of RESERVED_NAMES) {
    assert.throws(() => (s[name] = 'x'), (error: unknown) => {
      assert.ok(error instanceof TypeError, name);
      assert.match(error.message, new RegExp(`session\\.${name} is`), name);
      return true;
    });
    assert.throws(() => delete s[name], TypeError, name);
    assert.throws(() => Object.defineProperty(s, name, { value: 1 }), TypeError, name);
  }
  assert.throws(() => (s.id = 'mine'), /call `await session.regenerate\(\)`/);
  assert.throws(() => (s.userId = 'u1'), /call `await session.login\(userId\)`/);
  assert.throws(() => (s.login = 'x'), /reserved name in holdfast/);
  assert.equal(ctx.session.userId, null, 'nothing was assigned');
  assert.equal(await h.commit(ctx), undefined);
});

test('the reserved names cover the API', () => {
  for (const name of ['id', 'userId', 'login', 'isNew', 'logout', 'regenerate', 'destroy', 'touch', 'save', 'reload', 'isFresh', 'handle', 'authAt', 'toJSON', 'then']) {
    assert.ok(RESERVED_NAMES.has(name), name);
  }
});

test('a session is not a thenable (await session does not hang or call anything)', async () => {
  const h = harness();
  const ctx = await h.load();
  assert.equal((ctx.session as unknown as Data).then, undefined);
  assert.equal(await ctx.session, ctx.session);
});

test('symbols, accessors and prototype changes are refused', async () => {
  const h = harness();
  const s = (await h.load()).session as unknown as Record<string | symbol, unknown>;
  assert.throws(() => (s[Symbol('k')] = 1), /session keys must be strings/);
  assert.throws(() => Object.defineProperty(s, 'k', { get: () => 1 }), /plain values/);
  assert.throws(() => Object.setPrototypeOf(s, {}), TypeError);
  assert.equal(Reflect.setPrototypeOf(s, {}), false);
  assert.equal(s[Symbol.iterator], undefined);
});

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'a.b', '"', ''];

test('hostile keys are plain data and never pollute Object.prototype', async () => {
  const h = harness();
  const ctx = await h.load();
  const s = ctx.session as unknown as Data;
  for (const key of HOSTILE) {
    assert.equal(s[key], undefined, `${key} reads as absent on a new session`);
    assert.equal(key in s, false, `${key} in session`);
  }
  for (const key of HOSTILE) s[key] = { polluted: key };
  const cookie = pairOf(await h.commit(ctx));
  assert.equal(({} as Data).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);

  const written = h.store.of('set')[0]?.args[1] as { data: Record<string, string> };
  assert.deepEqual(Object.keys(written.data).sort(), [...HOSTILE].sort());

  const next = await h.load(cookie);
  const n = next.session as unknown as Data;
  for (const key of HOSTILE) {
    assert.deepEqual(n[key], { polluted: key }, key);
    assert.equal(key in n, true, key);
  }
  assert.deepEqual(Object.keys(n).sort(), [...HOSTILE].sort());
  assert.equal(Object.getPrototypeOf(n), null);
  const json = JSON.parse(JSON.stringify(n)) as Data;
  assert.deepEqual(Object.keys(json).sort(), [...HOSTILE].sort());
  assert.equal(({} as Data).polluted, undefined);
});

test('a JSON value that smuggles __proto__ stays data', async () => {
  const h = harness();
  const ctx = await h.load();
  (ctx.session as unknown as Data).obj = JSON.parse('{"__proto__":{"isAdmin":true}}');
  const cookie = pairOf(await h.commit(ctx));
  const next = await h.load(cookie);
  const obj = (next.session as unknown as Data).obj as Data;
  assert.equal(({} as Data).isAdmin, undefined);
  assert.deepEqual(Object.keys(obj), ['__proto__']);
});

test('Object.keys, spread and JSON show data and never the ID', async () => {
  const h = harness();
  const first = await h.load();
  Object.assign(first.session, { a: 1, b: 'two' });
  const cookie = pairOf(await h.commit(first));
  const ctx = await h.load(cookie);
  const id = ctx.session.id;
  assert.match(id, /^[\w-]{43}$/);
  assert.deepEqual(Object.keys(ctx.session).sort(), ['a', 'b']);
  assert.deepEqual({ ...ctx.session }, { a: 1, b: 'two' });
  assert.deepEqual(Object.entries(ctx.session).sort(), [['a', 1], ['b', 'two']]);
  const json = JSON.stringify(ctx.session);
  assert.deepEqual(JSON.parse(json), { a: 1, b: 'two' });
  assert.ok(!json.includes(id));
  assert.ok(!json.includes(ctx.key));
  for (const key in ctx.session) assert.ok(['a', 'b'].includes(key));
  assert.equal('id' in ctx.session, true, 'API names answer `in`');
});

test('util.inspect shows the handle and the data, never the ID or the store key', async () => {
  const h = harness();
  const first = await h.load();
  (first.session as unknown as Data).cart = ['apple'];
  assert.match(inspect(first.session), /^Session\(new\) /);
  const cookie = pairOf(await h.commit(first));
  const ctx = await h.load(cookie);
  for (const text of [inspect(ctx.session), inspect({ session: ctx.session }, { depth: 4 }), inspect(ctx.session, { showHidden: true })]) {
    assert.ok(text.includes(`Session(${ctx.session.handle})`), text);
    assert.ok(text.includes('apple'), `data is shown even before it was read: ${text}`);
    assert.ok(!text.includes(ctx.session.id), 'no ID');
    assert.ok(!text.includes(ctx.key), 'no store key');
  }
  assert.deepEqual(Object.getOwnPropertySymbols(ctx.session), []);
  assert.deepEqual(Reflect.ownKeys(ctx.session), ['cart']);
});

test('identity getters', async () => {
  const h = harness();
  const ctx = await h.load();
  const s = ctx.session;
  assert.equal(s.isNew, true);
  assert.equal(s.userId, null);
  assert.equal(s.authAt, null);
  assert.equal(s.createdAt, h.now());
  assert.equal(s.id, s.id, 'an ID is generated once, on first use');
  assert.equal(s.handle.length, 12);
  assert.ok(ctx.key.startsWith(s.handle));
  assert.equal(s.expiresAt, h.now() + 15 * 60_000, 'anonymous timeout applies before login');
  assert.equal(typeof s.login, 'function');
  assert.equal(s.login, s.login, 'methods are bound once');
});
