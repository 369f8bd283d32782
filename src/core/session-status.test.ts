/**
 * Passive requests and the status / extend helpers behind holdfast/client: a status read never
 * extends a session (no touch, no write, no Set-Cookie), an extend always does, and the
 * Holdfast-Session-Expires value follows what the commit did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, pairOf, view, type Harness } from '../../test/support/core-engine.ts';
import { extendSession, sessionStatus } from './session-status.ts';
import type { RequestView } from './engine-core.ts';

const MIN = 60_000;

/** A signed-in session (idle 30m, touchAfter 1m by default); returns its cookie pair. */
async function signedIn(h: Harness): Promise<string> {
  const ctx = await h.load();
  await ctx.session.login('u1');
  const cookie = pairOf(await h.commit(ctx));
  h.store.reset();
  return cookie;
}

function withHeaders(cookie: string, extra: Record<string, string>): RequestView {
  const base = view({ cookie });
  return { ...base, header: (name) => extra[name] ?? base.header(name) };
}

test('sessionStatus: remaining time of a signed-in session, and the read is passive', async () => {
  const h = harness();
  const cookie = await signedIn(h);
  h.advance(10 * MIN);
  const ctx = await h.load(cookie);
  const status = sessionStatus(ctx.session);
  assert.deepEqual(status, {
    authenticated: true,
    expiresAt: h.now() + 20 * MIN,
    remainingMs: 20 * MIN,
    idleTimeoutMs: 30 * MIN,
    absoluteExpiresAt: h.now() - 10 * MIN + 12 * 60 * MIN,
  });
  // 10 minutes since the last touch: an ordinary request would touch now; this one must not.
  assert.equal(await h.commit(ctx), undefined);
  assert.deepEqual(h.store.writes, []);
  const again = await h.load(cookie);
  assert.equal(again.expiresAt, status.expiresAt, 'the stored expiry did not move');
});

test('an ordinary request at the same moment does touch (the status test above can fail)', async () => {
  const h = harness();
  const cookie = await signedIn(h);
  h.advance(10 * MIN);
  const ctx = await h.load(cookie);
  assert.match((await h.commit(ctx)) ?? '', /Max-Age=1800/);
  assert.deepEqual(h.store.writes.map((w) => w.op), ['touch']);
});

test('Holdfast-Passive: 1 makes any request passive; other values do not', async () => {
  for (const [value, touches] of [['1', false], ['0', true], ['true', true], ['', true]] as const) {
    const h = harness();
    const cookie = await signedIn(h);
    h.advance(10 * MIN);
    const ctx = await h.engine.load(withHeaders(cookie, { 'holdfast-passive': value }));
    const setCookie = await h.commit(ctx);
    assert.equal(setCookie !== undefined, touches, `header ${JSON.stringify(value)}`);
    assert.equal(h.store.writes.length, touches ? 1 : 0, `header ${JSON.stringify(value)}`);
  }
});

test('a passive request still writes its changes (data only, the expiry stays) and honours touch()', async () => {
  const h = harness();
  const cookie = await signedIn(h);
  h.advance(10 * MIN);
  const ctx = await h.load(cookie);
  const before = ctx.expiresAt;
  sessionStatus(ctx.session);
  (ctx.session as unknown as Record<string, unknown>).note = 'x';
  assert.equal(await h.commit(ctx), undefined);
  const writes = h.store.writes;
  assert.deepEqual(writes.map((w) => w.op), ['patch']);
  assert.equal((writes[0]?.args[1] as { meta?: unknown }).meta, undefined);
  assert.equal((await h.load(cookie)).expiresAt, before);

  h.store.reset();
  const touched = await h.engine.load(withHeaders(cookie, { 'holdfast-passive': '1' }));
  await touched.session.touch();
  assert.match((await h.commit(touched)) ?? '', /Max-Age=1800/);
  assert.deepEqual(h.store.writes.map((w) => w.op), ['touch']);
});

test('extendSession: touches whatever touchAfter says, and reports the new expiry', async () => {
  const h = harness();
  const cookie = await signedIn(h);
  h.advance(10_000); // well inside touchAfter: an ordinary request would not touch
  const ctx = await h.engine.load(withHeaders(cookie, { 'holdfast-passive': '1' }));
  const status = extendSession(ctx.session);
  assert.equal(status.remainingMs, 30 * MIN);
  assert.equal(status.expiresAt, h.now() + 30 * MIN);
  assert.match((await h.commit(ctx)) ?? '', /Max-Age=1800/);
  assert.equal((await h.load(cookie)).expiresAt, status.expiresAt);
});

test('extendSession is capped by the absolute timeout', async () => {
  const h = harness({ idleTimeout: '30m', absoluteTimeout: '40m' });
  const cookie = await signedIn(h);
  h.advance(25 * MIN);
  const ctx = await h.load(cookie);
  assert.equal(extendSession(ctx.session).remainingMs, 15 * MIN);
});

test('no session: not authenticated, nothing left, nothing written', async () => {
  const h = harness();
  for (const make of [() => sessionStatus, () => extendSession]) {
    const ctx = await h.load();
    const status = make()(ctx.session);
    assert.deepEqual(status, { authenticated: false, expiresAt: null, remainingMs: 0, idleTimeoutMs: 15 * MIN, absoluteExpiresAt: null });
    assert.equal(await h.commit(ctx), undefined);
  }
  assert.deepEqual(h.store.writes, []);
});

test('an anonymous stored session reports its time but is not authenticated', async () => {
  const h = harness();
  const first = await h.load();
  (first.session as unknown as Record<string, unknown>).cart = [1];
  const cookie = pairOf(await h.commit(first));
  const status = sessionStatus((await h.load(cookie)).session);
  assert.equal(status.authenticated, false);
  assert.equal(status.remainingMs, 15 * MIN);
});

test('the helpers refuse anything but a holdfast session', () => {
  for (const bad of [undefined, null, {}, 'sid', new Proxy({}, {})]) {
    assert.throws(() => sessionStatus(bad), /needs the holdfast session object/);
    assert.throws(() => extendSession(bad), /needs the holdfast session object/);
  }
});

test('expiryHeader: off by default; seconds left after the commit; 0 after a logout', async () => {
  const off = harness();
  const offCtx = await off.load(await signedIn(off));
  await off.commit(offCtx);
  assert.equal(offCtx.expiryHeader(), undefined);

  const h = harness({ expiryHeader: true });
  const cookie = await signedIn(h);
  h.advance(10 * MIN);
  const passive = await h.load(cookie);
  sessionStatus(passive.session);
  await h.commit(passive);
  assert.equal(passive.expiryHeader(), String(20 * 60));
  const active = await h.load(cookie);
  await h.commit(active);
  assert.equal(active.expiryHeader(), String(30 * 60), 'the touch moved it');
  const out = await h.load(cookie);
  await out.session.logout();
  await h.commit(out);
  assert.equal(out.expiryHeader(), '0');
  const anonymous = await h.load();
  await h.commit(anonymous);
  assert.equal(anonymous.expiryHeader(), undefined);
});

test('expiryHeader must be a boolean', () => {
  assert.throws(() => harness({ expiryHeader: 'yes' as unknown as boolean }), /expiryHeader must be true or false/);
});
