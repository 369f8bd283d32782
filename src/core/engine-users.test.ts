/**
 * A user's sessions: the per-user cap, listing, revoking one or all, and a record revoked between
 * load and commit (never resurrected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, pairOf, type Harness } from '../../test/support/core-engine.ts';

const MIN = 60_000;

interface Device {
  cookie: string;
  key: string;
  handle: string;
}

async function signIn(h: Harness, userId: string, userAgent = 'test-agent', ip = '198.51.100.20'): Promise<Device> {
  const ctx = await h.load(undefined, { userAgent, ip });
  await ctx.session.login(userId);
  const cookie = pairOf(await h.commit(ctx));
  return { cookie, key: ctx.key, handle: ctx.session.handle };
}

async function alive(h: Harness, device: Device): Promise<boolean> {
  const ctx = await h.load(device.cookie);
  return !ctx.session.isNew;
}

test('maxSessionsPerUser: 2 — a third login revokes the least recently used session', async () => {
  const h = harness({ maxSessionsPerUser: 2 });
  const a = await signIn(h, 'ivy', 'phone');
  h.advance(MIN);
  const b = await signIn(h, 'ivy', 'laptop');
  h.advance(2 * MIN);
  // a is used again (a touch), so b is now the least recently used
  const useA = await h.load(a.cookie);
  await h.commit(useA);
  h.advance(MIN);
  h.events.length = 0;
  const c = await signIn(h, 'ivy', 'tablet');

  const revoked = h.events.filter((e) => e.type === 'revoked');
  assert.equal(revoked.length, 1);
  assert.equal(revoked[0]?.reason, 'session-limit');
  assert.equal(revoked[0]?.handle, b.handle);
  assert.equal(revoked[0]?.userId, 'ivy');
  assert.equal(revoked[0]?.path, '/');
  assert.equal(await alive(h, b), false);
  assert.equal(await alive(h, a), true);
  assert.equal(await alive(h, c), true);
  const handles = (await h.engine.listSessions('ivy')).map((s) => s.handle).sort();
  assert.deepEqual(handles, [a.handle, c.handle].sort());
});

test('maxSessionsPerUser: 1 — each login ends the previous one; other users are untouched', async () => {
  const h = harness({ maxSessionsPerUser: 1 });
  const other = await signIn(h, 'jay');
  const first = await signIn(h, 'kim');
  h.advance(1000);
  const second = await signIn(h, 'kim');
  assert.equal(await alive(h, first), false);
  assert.equal(await alive(h, second), true);
  assert.equal(await alive(h, other), true);
});

test('no limit by default', async () => {
  const h = harness();
  const devices = [];
  for (let i = 0; i < 5; i++) devices.push(await signIn(h, 'lee'));
  for (const d of devices) assert.equal(await alive(h, d), true);
  assert.equal(h.store.of('listByUser').length, 0, 'no per-user listing at login without a limit');
});

test('listSessions: live sessions of that user only, newest activity first, no IDs', async () => {
  const h = harness();
  const a = await signIn(h, 'mia', 'Firefox', '203.0.113.1');
  h.advance(MIN);
  const b = await signIn(h, 'mia', 'Safari', '203.0.113.2');
  await signIn(h, 'ned');
  const list = await h.engine.listSessions('mia');
  assert.deepEqual(list.map((s) => s.handle), [b.handle, a.handle]);
  assert.deepEqual(list[0], {
    handle: b.handle,
    createdAt: h.now(),
    authAt: h.now(),
    lastSeenAt: h.now(),
    expiresAt: h.now() + 30 * MIN,
    ip: '203.0.113.2',
    userAgent: 'Safari',
  });
  assert.equal(list[1]?.userAgent, 'Firefox');
  const json = JSON.stringify(list);
  for (const d of [a, b]) {
    assert.ok(!json.includes(d.key));
    assert.ok(!json.includes(d.cookie.split('=')[1]?.slice(0, 43) ?? 'x'));
  }
  h.advance(30 * MIN - MIN);
  assert.deepEqual((await h.engine.listSessions('mia')).map((s) => s.handle), [b.handle], 'expired sessions are not listed');
  assert.deepEqual(await h.engine.listSessions('nobody'), []);
});

test('revokeSession: ends that one session of that user; a wrong user or handle does nothing', async () => {
  const h = harness();
  const a = await signIn(h, 'ora');
  const b = await signIn(h, 'ora');
  const c = await signIn(h, 'pat');
  assert.equal(await h.engine.revokeSession('pat', a.handle), false, "not pat's session");
  assert.equal(await h.engine.revokeSession('ora', 'AAAAAAAAAAAA'), false);
  assert.equal(await alive(h, a), true);
  h.events.length = 0;
  assert.equal(await h.engine.revokeSession('ora', a.handle), true);
  assert.equal(await alive(h, a), false);
  assert.equal(await alive(h, b), true);
  assert.equal(await alive(h, c), true);
  const revoked = h.events.filter((e) => e.type === 'revoked');
  assert.deepEqual(revoked.map((e) => [e.reason, e.handle, e.userId]), [['revoke', a.handle, 'ora']]);
  assert.equal(await h.engine.revokeSession('ora', a.handle), false, 'twice is a no-op');
});

test('revokeAllSessions: all of them, or all except the current one', async () => {
  const h = harness();
  const a = await signIn(h, 'quin');
  const b = await signIn(h, 'quin');
  const c = await signIn(h, 'quin');
  const other = await signIn(h, 'rae');
  assert.equal(await h.engine.revokeAllSessions('quin', { except: b.handle }), 2);
  assert.equal(await alive(h, a), false);
  assert.equal(await alive(h, b), true);
  assert.equal(await alive(h, c), false);
  assert.equal(await alive(h, other), true);
  h.events.length = 0;
  assert.equal(await h.engine.revokeAllSessions('quin'), 1);
  assert.equal(await alive(h, b), false);
  assert.deepEqual(h.events.filter((e) => e.type === 'revoked').map((e) => [e.reason, e.userId]), [['revoke-all', 'quin']]);
  assert.equal(await h.engine.revokeAllSessions('quin'), 0);
  assert.equal(await alive(h, other), true);
});

test('revokeAllSessions with an `except` handle of another user keeps nothing of this user', async () => {
  const h = harness();
  const a = await signIn(h, 'sam');
  const theirs = await signIn(h, 'tess');
  assert.equal(await h.engine.revokeAllSessions('sam', { except: theirs.handle }), 1);
  assert.equal(await alive(h, a), false);
  assert.equal(await alive(h, theirs), true);
});

test("a session revoked between load and commit is not resurrected; no Set-Cookie", async () => {
  const h = harness();
  const d = await signIn(h, 'uma');
  const ctx = await h.load(d.cookie);
  await h.engine.revokeSession('uma', d.handle);
  (ctx.session as unknown as Record<string, unknown>).late = 'write';
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, true);
  const setCookie = await plan.done;
  assert.equal(setCookie, undefined, 'no Set-Cookie: a clear could race a concurrent login');
  assert.equal(await h.store.inner.get(d.key), null, 'not resurrected');
  assert.equal(h.store.inner.size, 0);
  assert.deepEqual(await h.engine.listSessions('uma'), []);
});

test('a save() on a session revoked meanwhile does not resurrect it either', async () => {
  const h = harness();
  const d = await signIn(h, 'vic');
  const ctx = await h.load(d.cookie);
  await h.engine.revokeAllSessions('vic');
  h.store.reset();
  (ctx.session as unknown as Record<string, unknown>).x = 1;
  await ctx.session.save();
  assert.equal(h.store.inner.size, 0);
  assert.equal(ctx.session.userId, null, 'the context starts afresh');
  assert.equal(await h.commit(ctx), undefined);
  assert.equal(h.store.inner.size, 0, 'the commit after does not write the revoked ID back');
  assert.deepEqual(h.store.of('set'), [], 'no set() at all');
});

test('maxSessionsPerUser is best effort: a store failure while trimming does not fail the login', async () => {
  const warnings: string[] = [];
  const logger = { info() {}, error() {}, warn: (_obj: object, msg?: string) => void warnings.push(String(msg)) };
  const h = harness({ maxSessionsPerUser: 1, logger });
  await signIn(h, 'quinn', 'phone');
  const listByUser = h.store.listByUser.bind(h.store);
  h.store.listByUser = () => Promise.reject(new Error('store down while listing'));
  const second = await signIn(h, 'quinn', 'laptop');
  assert.ok(second.cookie.includes('='), 'the login still gets its cookie');
  assert.equal(await alive(h, second), true, 'and its session exists');
  assert.equal(warnings.filter((m) => m.includes('maxSessionsPerUser')).length, 1);
  h.store.listByUser = listByUser;
  await signIn(h, 'quinn', 'tablet');
  assert.equal((await h.engine.listSessions('quinn')).length, 1, 'the next login applies the limit again');
});
