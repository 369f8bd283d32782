/** Timeouts and touch throttling under a frozen, hand-moved clock; isFresh. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { json, type SetCookie } from '../client.ts';
import type { AppFixture } from '../fixture.ts';
import { ABSOLUTE_S, ANON_S, IDLE_S, onlyCookie, withApp, type Harness } from '../harness.ts';

interface ReadBody {
  userId: string | null;
  isNew: boolean;
  data: Record<string, unknown>;
}

async function signIn(h: Harness, user = 'alice'): Promise<SetCookie> {
  const anon = onlyCookie(await h.request('/set?key=a&value=1'));
  return onlyCookie(await h.withCookie(anon, `/login?user=${user}`, { method: 'POST' }));
}

async function read(h: Harness, cookie: SetCookie): Promise<ReadBody> {
  const reply = await h.withCookie(cookie, '/read');
  assert.equal(reply.status, 200);
  return json<ReadBody>(reply);
}

export function timeoutCases(fixture: AppFixture): void {
  describe('timeouts (frozen clock)', () => {
    it('idle expiry: a request after idleTimeout is anonymous, expired event reason idle', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = await signIn(h);
        h.clock.advance(IDLE_S * 1000 - 1000);
        assert.equal((await read(h, cookie)).userId, 'alice', 'alive just before the idle timeout');
        h.clock.advance(IDLE_S * 1000);
        assert.deepEqual(await read(h, cookie), { userId: null, isNew: true, data: {} });
        const expired = h.eventsOf('expired');
        assert.equal(expired.length, 1);
        assert.equal(expired[0]?.reason, 'idle');
        assert.equal(expired[0]?.userId, 'alice');
      });
    });

    it('absolute expiry despite constant activity: reason absolute, Max-Age capped by the absolute limit', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = await signIn(h);
        const step = 25 * 60;
        let elapsed = 0;
        while (elapsed + step < ABSOLUTE_S) {
          h.clock.advance(step * 1000);
          elapsed += step;
          const reply = await h.withCookie(cookie, '/read');
          assert.equal(json<ReadBody>(reply).userId, 'alice', `alive after ${elapsed} s of activity`);
          const touched = onlyCookie(reply);
          assert.equal(touched.attrs['max-age'], String(Math.min(IDLE_S, ABSOLUTE_S - elapsed)));
        }
        h.clock.advance(step * 1000);
        assert.deepEqual(await read(h, cookie), { userId: null, isNew: true, data: {} });
        assert.equal(h.eventsOf('expired')[0]?.reason, 'absolute');
      });
    });

    it('anonymous sessions use the shorter anonymousTimeout', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/set?key=a&value=1'));
        assert.equal(cookie.attrs['max-age'], String(ANON_S));
        h.clock.advance(ANON_S * 1000 + 1000);
        assert.deepEqual(await read(h, cookie), { userId: null, isNew: true, data: {} });
        assert.equal(h.eventsOf('expired')[0]?.reason, 'anonymous');
      });
    });

    it('touch throttling: reads within touchAfter write nothing; after it exactly one touch and a fresh Max-Age', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = await signIn(h);
        h.store.reset();
        for (let i = 0; i < 3; i++) {
          h.clock.advance('15s');
          const reply = await h.withCookie(cookie, '/read');
          assert.equal(reply.cookies.length, 0);
        }
        assert.equal(h.store.writes, 0);

        h.clock.advance('16s'); // 61 s since the login wrote
        const due = await h.withCookie(cookie, '/read');
        assert.equal(h.store.calls.touch, 1);
        assert.equal(h.store.writes, 1);
        assert.equal(onlyCookie(due).attrs['max-age'], String(IDLE_S));
        assert.equal(onlyCookie(due).value, cookie.value, 'a touch keeps the ID');
        assert.equal(due.headers['cache-control'], 'no-store');

        const again = await h.withCookie(cookie, '/read');
        assert.equal(again.cookies.length, 0);
        assert.equal(h.store.writes, 1);

        // The touch really moved the idle expiry: alive IDLE - 1 s after the touch, not after the login.
        h.clock.advance(IDLE_S * 1000 - 1000);
        assert.equal((await read(h, cookie)).userId, 'alice');
      });
    });

    it('writes follow the same throttle: within touchAfter no cookie and no expiry change; once due, one cookie with a fresh Max-Age', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = await signIn(h);
        h.store.reset();
        h.clock.advance('30s');
        const early = await h.withCookie(cookie, '/set?key=x&value=1');
        assert.equal(early.status, 200);
        assert.equal(early.cookies.length, 0, 'not due: no Set-Cookie');
        assert.equal(early.headers['cache-control'], undefined, 'no cookie, so no forced no-store');
        assert.equal(h.store.calls.patch, 1);

        // The early write did not move the activity time: 61 s after the login a read is due a touch.
        h.clock.advance('31s');
        const touched = await h.withCookie(cookie, '/read');
        assert.equal(h.store.calls.touch, 1);
        assert.equal(onlyCookie(touched).attrs['max-age'], String(IDLE_S));

        h.clock.advance('61s');
        const due = await h.withCookie(cookie, '/set?key=y&value=2');
        assert.equal(h.store.calls.patch, 2);
        assert.equal(h.store.calls.touch, 1, 'the patch carries the new expiry: one write');
        assert.equal(onlyCookie(due).attrs['max-age'], String(IDLE_S));
        assert.equal(onlyCookie(due).value, cookie.value, 'same ID');
        assert.equal(due.headers['cache-control'], 'no-store');

        // The due write moved the idle expiry: alive IDLE - 1 s after it (the touch before it
        // alone would have ended the session 61 s earlier).
        h.clock.advance(IDLE_S * 1000 - 1000);
        assert.deepEqual((await read(h, cookie)).data, { a: '1', x: '1', y: '2' });
      });
    });

    it('explicit touch() extends the expiry within touchAfter', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = await signIn(h);
        h.store.reset();
        h.clock.advance('10s');
        const reply = await h.withCookie(cookie, '/touch');
        assert.equal(reply.status, 200);
        assert.equal(h.store.calls.touch, 1);
        assert.equal(h.store.writes, 1);
        assert.equal(onlyCookie(reply).attrs['max-age'], String(IDLE_S));
      });
    });

    it('isFresh(maxAge) is true right after login and false once the clock passes maxAge', async () => {
      await withApp(fixture, {}, async (h) => {
        const anon = onlyCookie(await h.request('/set?key=a&value=1'));
        assert.deepEqual(json(await h.withCookie(anon, '/fresh?maxAge=300000')), { fresh: false }, 'anonymous is never fresh');
        const cookie = onlyCookie(await h.withCookie(anon, '/login?user=alice', { method: 'POST' }));
        assert.deepEqual(json(await h.withCookie(cookie, '/fresh?maxAge=300000')), { fresh: true });
        h.clock.advance('4m');
        assert.deepEqual(json(await h.withCookie(cookie, '/fresh?maxAge=300000')), { fresh: true });
        h.clock.advance('2m');
        assert.deepEqual(json(await h.withCookie(cookie, '/fresh?maxAge=300000')), { fresh: false });
        assert.equal((await read(h, cookie)).userId, 'alice', 'not fresh is still signed in');
      });
    });
  });
}
