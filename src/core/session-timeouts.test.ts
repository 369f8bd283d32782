/**
 * Timeouts enforced from the record with a frozen clock: idle, absolute, anonymous; touch
 * throttling; Max-Age follows the time left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { harness, maxAgeOf, pairOf, type Harness } from '../../test/support/core-engine.ts';
import type { SessionContext } from './session-context.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

async function start(h: Harness, userId?: string): Promise<{ cookie: string; key: string; handle: string }> {
  const ctx = await h.load();
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  if (userId !== undefined) await ctx.session.login(userId);
  const cookie = pairOf(await h.commit(ctx));
  h.store.reset();
  h.events.length = 0;
  return { cookie, key: ctx.key, handle: ctx.session.handle };
}

async function expectExpired(h: Harness, s: { cookie: string; key: string; handle: string }, reason: string, userId: string | null): Promise<SessionContext> {
  const ctx = await h.load(s.cookie);
  assert.equal(ctx.session.isNew, true, `expired (${reason})`);
  assert.deepEqual(Object.keys(ctx.session), []);
  const expired = h.events.filter((e) => e.type === 'expired');
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.reason, reason);
  assert.equal(expired[0]?.handle, s.handle);
  assert.equal(expired[0]?.userId, userId);
  await tick();
  assert.equal(await h.store.inner.get(s.key), null, 'the expired record is destroyed in the store');
  assert.equal(await h.commit(ctx), undefined, 'the dead cookie is left to expire (no racing clear)');
  return ctx;
}

const table: { name: string; userId?: string; limit: number; reason: string; options?: Record<string, string> }[] = [
  { name: 'anonymous (default 15m)', limit: 15 * MIN, reason: 'anonymous' },
  { name: 'idle after login (default 30m)', userId: 'u1', limit: 30 * MIN, reason: 'idle' },
  { name: 'custom anonymousTimeout', limit: 2 * MIN, reason: 'anonymous', options: { anonymousTimeout: '2m' } },
  { name: 'custom idleTimeout', userId: 'u1', limit: 5 * MIN, reason: 'idle', options: { idleTimeout: '5m' } },
];

for (const c of table) {
  test(`${c.name}: alive 1 ms before, expired at the limit`, async () => {
    const alive = harness(c.options);
    const s1 = await start(alive, c.userId);
    alive.advance(c.limit - 1);
    const ctx = await alive.load(s1.cookie);
    assert.equal(ctx.session.isNew, false);
    assert.equal(ctx.session.userId, c.userId ?? null);

    const dead = harness(c.options);
    const s2 = await start(dead, c.userId);
    dead.advance(c.limit);
    await expectExpired(dead, s2, c.reason, c.userId ?? null);
  });
}

test('absolute timeout ends an active session 12 h after login', async () => {
  const h = harness();
  const s = await start(h, 'active');
  let lastMaxAge: number | undefined;
  for (let t = 20 * MIN; t < 12 * HOUR; t += 20 * MIN) {
    h.advance(20 * MIN);
    const ctx = await h.load(s.cookie);
    assert.equal(ctx.session.isNew, false, `alive at ${t / MIN} min`);
    const setCookie = await h.commit(ctx);
    lastMaxAge = maxAgeOf(setCookie);
    assert.equal(lastMaxAge, Math.min(30 * MIN, 12 * HOUR - t) / 1000, `Max-Age at ${t / MIN} min`);
  }
  assert.equal(lastMaxAge, 20 * 60, 'the last cookie lives only until the absolute limit');
  h.events.length = 0;
  h.advance(20 * MIN);
  await expectExpired(h, s, 'absolute', 'active');
});

test('a record whose expiresAt has passed is dead even if touchedAt says otherwise', async () => {
  const h = harness();
  const s = await start(h, 'u');
  const record = await h.store.inner.get(s.key);
  assert.ok(record !== null);
  await h.store.inner.set(s.key, { ...record, meta: { ...record.meta, expiresAt: h.now() + 1000 } });
  h.advance(1000);
  await expectExpired(h, s, 'idle', 'u');
});

test('touch throttling: read-only requests write at most once per touchAfter', async () => {
  const h = harness({ touchAfter: '1m' });
  const s = await start(h, 'reader');
  const writesAt: number[] = [];
  for (let i = 1; i <= 12; i++) {
    h.advance(15_000);
    const ctx = await h.load(s.cookie);
    void (ctx.session as unknown as Record<string, unknown>).a;
    const before = h.store.writes.length;
    const setCookie = await h.commit(ctx);
    if (h.store.writes.length > before) {
      writesAt.push(i * 15);
      assert.equal(h.store.writes.at(-1)?.op, 'touch');
      assert.equal(maxAgeOf(setCookie), 30 * 60, 'a touch refreshes Max-Age');
      assert.equal(pairOf(setCookie), s.cookie);
    } else {
      assert.equal(setCookie, undefined, 'no Set-Cookie without a write');
    }
  }
  assert.deepEqual(writesAt, [60, 120, 180]);
  const record = await h.store.inner.get(s.key);
  assert.equal(record?.meta.touchedAt, h.now());
  assert.equal(record?.meta.expiresAt, h.now() + 30 * MIN);
});

test('touches keep a session alive past its first idle limit', async () => {
  const h = harness();
  const s = await start(h, 'keep');
  for (let i = 0; i < 10; i++) {
    h.advance(20 * MIN);
    const ctx = await h.load(s.cookie);
    assert.equal(ctx.session.isNew, false, `alive after ${(i + 1) * 20} min`);
    await h.commit(ctx);
  }
});

test('a touch on a record deleted meanwhile sends no cookie and writes nothing', async () => {
  const h = harness();
  const s = await start(h, 'gone');
  h.advance(2 * MIN);
  const ctx = await h.load(s.cookie);
  await h.store.inner.destroy(s.key);
  const setCookie = await h.commit(ctx);
  assert.deepEqual(h.store.writes.map((w) => w.op), ['touch']);
  assert.equal(setCookie, undefined);
  assert.equal(await h.store.inner.get(s.key), null);
});

test('Max-Age of a new session is the anonymous timeout, after login the idle timeout', async () => {
  const h = harness({ anonymousTimeout: '10m', idleTimeout: '45m' });
  const ctx = await h.load();
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  assert.equal(maxAgeOf(await h.commit(ctx)), 600);
  const other = await h.load();
  await other.session.login('x');
  assert.equal(maxAgeOf(await h.commit(other)), 45 * 60);
});

test('persistent: false sends a browser-session cookie (no Max-Age) but still expires server-side', async () => {
  const h = harness({ cookie: { persistent: false } });
  const ctx = await h.load();
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  const setCookie = await h.commit(ctx);
  assert.equal(maxAgeOf(setCookie), undefined);
  assert.ok(!/Expires=/.test(setCookie ?? ''));
  h.advance(15 * MIN);
  const later = await h.load(pairOf(setCookie));
  assert.equal(later.session.isNew, true);
});
