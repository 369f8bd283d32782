/**
 * login / regenerate / logout / destroy / save / reload / isFresh, and what their events carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, isClear, pairOf, SECRET, type Harness } from '../../test/support/core-engine.ts';
import { createKeyring } from './keyring.ts';
import type { SessionContext } from './session-context.ts';
import type { SessionRecord } from './store.ts';

type Data = Record<string, unknown>;
const data = (ctx: SessionContext): Data => ctx.session as unknown as Data;

async function seeded(h: Harness, initial: Data, userId?: string): Promise<{ cookie: string; key: string; handle: string }> {
  const ctx = await h.load();
  Object.assign(ctx.session, initial);
  if (userId !== undefined) await ctx.session.login(userId);
  const cookie = pairOf(await h.commit(ctx));
  h.store.reset();
  h.events.length = 0;
  return { cookie, key: ctx.key, handle: ctx.session.handle };
}

const stored = (h: Harness, key: string): Promise<SessionRecord | null> => h.store.inner.get(key);

test('login: new ID, old record destroyed, user bound, auth time set, data kept', async () => {
  const h = harness();
  const before = await seeded(h, { cart: ['book'], returnTo: '/checkout' });
  h.advance(5000);
  const ctx = await h.load(before.cookie);
  const oldId = ctx.session.id;
  await ctx.session.login('alice');
  assert.notEqual(ctx.session.id, oldId);
  assert.equal(ctx.session.userId, 'alice');
  assert.equal(ctx.session.authAt, h.now());
  assert.equal(ctx.session.createdAt, h.now(), 'the absolute timeout counts from login');
  assert.equal(await stored(h, before.key), null, 'old record destroyed at login');
  const setCookie = await h.commit(ctx);
  assert.notEqual(pairOf(setCookie), before.cookie);
  assert.deepEqual(h.store.calls.map((c) => c.op), ['get', 'destroy', 'set']);
  const record = await stored(h, ctx.key);
  assert.equal(record?.meta.userId, 'alice');
  assert.deepEqual(JSON.parse(record?.data.cart ?? ''), ['book']);
  assert.equal(record?.data.returnTo, '"/checkout"');
  assert.equal(record?.meta.expiresAt, h.now() + 30 * 60_000, 'idle timeout, not the anonymous one, after login');

  const old = await h.load(before.cookie);
  assert.equal(old.session.isNew, true, 'the old cookie no longer works');
  const login = h.events.find((e) => e.type === 'login');
  assert.deepEqual(
    { ...login, time: undefined },
    { type: 'login', time: undefined, ip: '198.51.100.20', method: 'GET', path: '/', userId: 'alice', handle: ctx.session.handle, previousHandle: before.handle },
  );
});

test('login({ keepData: false }) drops the data; numeric user IDs become strings; bad IDs throw', async () => {
  const h = harness();
  const before = await seeded(h, { cart: ['book'] });
  const ctx = await h.load(before.cookie);
  await ctx.session.login(42, { keepData: false });
  assert.equal(ctx.session.userId, '42');
  assert.deepEqual(Object.keys(ctx.session), []);
  await h.commit(ctx);
  const record = await stored(h, ctx.key);
  assert.deepEqual({ ...record?.data }, {});
  assert.equal(record?.meta.userId, '42');

  const fresh = await h.load();
  for (const bad of ['', 'x'.repeat(257), null, undefined, {}, Number.NaN, Number.POSITIVE_INFINITY, true]) {
    await assert.rejects(fresh.session.login(bad as string), TypeError);
  }
});

test('login on a brand-new session stores a bound session (no data needed) and destroys nothing', async () => {
  const h = harness();
  const ctx = await h.load();
  await ctx.session.login('bob');
  const setCookie = await h.commit(ctx);
  assert.match(setCookie ?? '', /^__Host-sid=/);
  assert.deepEqual(h.store.calls.map((c) => c.op), ['set']);
  assert.deepEqual(h.events.map((e) => [e.type, e.previousHandle]), [['login', undefined]]);
});

test('regenerate keeps user, createdAt and authAt; new ID; old record gone; regenerated event', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1 }, 'carol');
  const first = await stored(h, before.key);
  h.advance(60_000);
  const ctx = await h.load(before.cookie);
  await ctx.session.regenerate();
  assert.equal(ctx.session.userId, 'carol');
  assert.equal(ctx.session.createdAt, first?.meta.createdAt);
  assert.equal(ctx.session.authAt, first?.meta.authAt);
  const setCookie = await h.commit(ctx);
  assert.notEqual(pairOf(setCookie), before.cookie);
  assert.equal(await stored(h, before.key), null);
  const record = await stored(h, ctx.key);
  assert.equal(record?.data.a, '1');
  assert.equal(record?.meta.touchedAt, h.now());
  assert.deepEqual(h.events.map((e) => [e.type, e.handle, e.previousHandle]), [['regenerated', ctx.session.handle, before.handle]]);

  const again = await h.load(pairOf(setCookie));
  await again.session.regenerate({ keepData: false });
  await h.commit(again);
  assert.deepEqual({ ...(await stored(h, again.key))?.data }, {});
  assert.equal((await stored(h, again.key))?.meta.userId, 'carol');
});

test('regenerate({ keepData: false }) on an anonymous session leaves no dangling cookie', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1 });
  const ctx = await h.load(before.cookie);
  await ctx.session.regenerate({ keepData: false });
  const setCookie = await h.commit(ctx);
  assert.equal(await stored(h, before.key), null);
  assert.ok(isClear(setCookie), `the old cookie is cleared, got ${String(setCookie)}`);
});

test('save() then regenerate({ keepData: false }) on an anonymous session sends no cookie for a session that does not exist', async () => {
  const h = harness();
  const ctx = await h.load();
  data(ctx).a = 1;
  await ctx.session.save();
  await ctx.session.regenerate({ keepData: false });
  const setCookie = await h.commit(ctx);
  assert.ok(setCookie === undefined || isClear(setCookie), `no Set-Cookie for a missing session, got ${String(setCookie)}`);
  assert.equal(h.store.inner.size, 0);
});

for (const method of ['logout', 'destroy'] as const) {
  test(`${method}: record gone, cookie cleared, '${method === 'logout' ? 'logout' : 'destroyed'}' event, session usable afresh`, async () => {
    const h = harness();
    const before = await seeded(h, { a: 1 }, 'dave');
    const ctx = await h.load(before.cookie);
    await ctx.session[method]();
    assert.equal(await stored(h, before.key), null);
    assert.equal(ctx.session.userId, null);
    assert.equal(ctx.session.isNew, true);
    assert.deepEqual(Object.keys(ctx.session), []);
    assert.deepEqual(
      h.events.map((e) => [e.type, e.handle, e.userId]),
      [[method === 'logout' ? 'logout' : 'destroyed', before.handle, 'dave']],
    );
    const plan = ctx.beginCommit();
    assert.equal(plan.pending, false);
    assert.ok(isClear(plan.setCookie), String(plan.setCookie));
    assert.match(plan.setCookie ?? '', /^__Host-sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/);
    const replay = await h.load(before.cookie);
    assert.equal(replay.session.isNew, true, 'replaying the old cookie gives a fresh anonymous session');

    const h2 = harness();
    const b2 = await seeded(h2, { a: 1 }, 'erin');
    const reuse = await h2.load(b2.cookie);
    await reuse.session[method]();
    data(reuse).theme = 'dark';
    const setCookie = await h2.commit(reuse);
    assert.ok(!isClear(setCookie), 'a new session replaces the old cookie');
    assert.notEqual(pairOf(setCookie), b2.cookie);
    const record = await stored(h2, reuse.key);
    assert.equal(record?.meta.userId, null);
    assert.deepEqual({ ...record?.data }, { theme: '"dark"' });
  });
}

test('save() writes now; the commit after writes nothing more unless changed again', async () => {
  const h = harness();
  const ctx = await h.load();
  data(ctx).a = 1;
  await ctx.session.save();
  assert.deepEqual(h.store.calls.map((c) => c.op), ['set']);
  assert.equal(ctx.session.isNew, false);
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, false);
  assert.match(plan.setCookie ?? '', /^__Host-sid=/, 'the client still gets the cookie');
  assert.deepEqual(h.store.calls.map((c) => c.op), ['set']);

  const again = await h.load(pairOf(plan.setCookie));
  h.store.reset();
  data(again).b = 2;
  await again.session.save();
  data(again).c = 3;
  await h.commit(again);
  const patches = h.store.of('patch').map((c) => ({ ...(c.args[1] as { set: Data }).set }));
  assert.deepEqual(patches, [{ b: '2' }, { c: '3' }]);
  assert.equal(h.store.writes.length, 2);
});

test('save() with nothing to write makes no store call', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1 });
  const ctx = await h.load(before.cookie);
  await ctx.session.save();
  assert.equal(await h.commit(ctx), undefined);
  assert.deepEqual(h.store.writes, []);
});

test('reload() drops unsaved changes and sees what other requests stored', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1, b: 1 });
  const ctx = await h.load(before.cookie);
  data(ctx).a = 99;
  delete data(ctx).b;
  const other = await h.load(before.cookie);
  data(other).c = 'other';
  await h.commit(other);
  await ctx.session.reload();
  assert.deepEqual({ ...ctx.session }, { a: 1, b: 1, c: 'other' });
  h.store.reset();
  assert.equal(await h.commit(ctx), undefined);
  assert.deepEqual(h.store.writes, []);
});

test('reload() of a session revoked meanwhile starts afresh', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1 }, 'frank');
  const ctx = await h.load(before.cookie);
  await h.engine.revokeSession('frank', before.handle);
  await ctx.session.reload();
  assert.equal(ctx.session.isNew, true);
  assert.equal(ctx.session.userId, null);
  assert.deepEqual(Object.keys(ctx.session), []);
  assert.equal(await h.commit(ctx), undefined, 'the dead cookie is left to expire (no racing clear)');
});

test('isFresh(maxAge) follows the auth time and the clock', async () => {
  const h = harness();
  const ctx = await h.load();
  assert.equal(ctx.session.isFresh('5m'), false, 'anonymous is never fresh');
  await ctx.session.login('gina');
  assert.equal(ctx.session.isFresh('5m'), true);
  h.advance(5 * 60_000);
  assert.equal(ctx.session.isFresh('5m'), true, 'inclusive bound');
  h.advance(1);
  assert.equal(ctx.session.isFresh('5m'), false);
  assert.equal(ctx.session.isFresh(10 * 60_000), true);
  assert.throws(() => ctx.session.isFresh('soon'), /isFresh\(maxAge\) must be/);
});

test('touch() forces a touch write on a read-only request', async () => {
  const h = harness();
  const before = await seeded(h, { a: 1 });
  h.advance(10);
  const ctx = await h.load(before.cookie);
  await ctx.session.touch();
  const setCookie = await h.commit(ctx);
  assert.deepEqual(h.store.writes.map((c) => c.op), ['touch']);
  assert.equal(pairOf(setCookie), before.cookie);
});

test('a cookie signed with an old secret is re-signed with the current one on its next write', async () => {
  const NEW = 'N3w-s3cret-for-rotation-tests-0123456789abcdef';
  const h = harness({ secrets: [NEW, SECRET] });
  const oldRing = createKeyring(SECRET, false);
  const newRing = createKeyring(NEW, false);
  const ctx0 = await h.load();
  data(ctx0).a = 1;
  await h.commit(ctx0);
  const id = ctx0.session.id;
  const oldCookie = `__Host-sid=${oldRing.sign(id)}`;

  const read = await h.load(oldCookie);
  assert.equal(data(read).a, 1, 'the old secret still verifies');
  assert.equal(await h.commit(read), undefined, 'read-only: no write, no re-sign');

  const write = await h.load(oldCookie);
  data(write).b = 2;
  const setCookie = await h.commit(write);
  const value = pairOf(setCookie).slice('__Host-sid='.length);
  assert.deepEqual(newRing.verify(value), { id, keyIndex: 0 }, 'same ID, current secret');
});

test('events never carry a raw ID or a store key', async () => {
  const h = harness({ maxSessionsPerUser: 1 });
  const secrets: string[] = [];
  const remember = (ctx: SessionContext): void => void secrets.push(ctx.session.id, ctx.key);
  // created, login (+ revoked by the limit), regenerated, rejected, expired, logout, destroyed, revoke
  const a = await h.load();
  data(a).x = 1;
  remember(a);
  const ca = pairOf(await h.commit(a));
  const b = await h.load(ca);
  remember(b);
  await b.session.login('hank');
  remember(b);
  const cb = pairOf(await h.commit(b));
  const c = await h.load();
  await c.session.login('hank');
  remember(c);
  const cc = pairOf(await h.commit(c));
  const d = await h.load(cc);
  await d.session.regenerate();
  remember(d);
  const cd = pairOf(await h.commit(d));
  await h.load(`${cd.slice(0, -1)}${cd.endsWith('A') ? 'B' : 'A'}`); // a different last character, always
  await h.load(cb);
  h.advance(31 * 60_000);
  await h.load(cd);
  const e = await h.load();
  await e.session.login('hank');
  remember(e);
  const ce = pairOf(await h.commit(e));
  const f = await h.load(ce);
  await f.session.logout();
  const g = await h.load();
  data(g).y = 1;
  remember(g);
  const cg = pairOf(await h.commit(g));
  await (await h.load(cg)).session.destroy();
  const i = await h.load();
  await i.session.login('hank');
  remember(i);
  await h.commit(i);
  await h.engine.revokeSession('hank', i.session.handle);
  await h.engine.revokeAllSessions('hank');

  for (const call of h.store.calls) if (typeof call.args[0] === 'string' && call.args[0].length === 43) secrets.push(call.args[0]);
  const types = new Set(h.events.map((ev) => ev.type));
  for (const type of ['created', 'login', 'regenerated', 'rejected', 'expired', 'logout', 'destroyed', 'revoked']) assert.ok(types.has(type), `saw ${type}`);
  const json = JSON.stringify(h.events);
  for (const secret of secrets) assert.ok(!json.includes(secret), 'no ID or key in any event');
  for (const event of h.events) {
    for (const field of ['handle', 'previousHandle'] as const) {
      const value = event[field];
      if (value !== undefined) assert.match(String(value), /^[\w-]{12}$/);
    }
  }
});
