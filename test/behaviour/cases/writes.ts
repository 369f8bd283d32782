/** Write policy: read-only requests write nothing; concurrent per-key changes all survive; nested mutation persists. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { json } from '../client.ts';
import type { AppFixture } from '../fixture.ts';
import { onlyCookie, withApp } from '../harness.ts';

export function writeCases(fixture: AppFixture): void {
  describe('write policy', () => {
    it('read-only requests on an existing session: 0 store writes, no Set-Cookie', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/set?key=a&value=1'));
        h.store.reset();
        for (let i = 0; i < 5; i++) {
          h.clock.advance('5s');
          const read = await h.withCookie(cookie, '/read');
          assert.equal(read.status, 200);
          assert.equal(read.cookies.length, 0);
          assert.deepEqual(json(read).data, { a: '1' });
        }
        // Setting a key to the value it already has is not a change either.
        const same = await h.withCookie(cookie, '/set?key=a&value=1');
        assert.equal(same.cookies.length, 0);
        assert.equal(h.store.writes, 0, JSON.stringify(h.store.calls));
        assert.equal(h.store.calls.get, 6);
      });
    });

    it('requests without a session cookie that do not put data in the session: no store access, no Set-Cookie', async () => {
      await withApp(fixture, {}, async (h) => {
        for (const path of ['/anon', '/read', '/fresh?maxAge=1000']) {
          for (const cookie of [undefined, 'theme=dark', 'xsid=1; other=2']) {
            const reply = await h.request(path, { cookie });
            assert.equal(reply.status, 200, path);
            assert.equal(reply.cookies.length, 0, path);
          }
        }
        assert.equal(h.store.total, 0, JSON.stringify(h.store.calls));
        assert.equal(h.eventsOf('created').length, 0);
      });
    });

    it('a write is acknowledged by the store before the response ends (the next request sees it)', async () => {
      await withApp(fixture, {}, async (h) => {
        h.store.delayMs = 40;
        const started = performance.now();
        const set = await h.request('/set?key=a&value=1');
        assert.ok(performance.now() - started >= 35, 'the response waited for the store');
        const cookie = onlyCookie(set);
        const login = await h.withCookie(cookie, '/login?user=alice', { method: 'POST' });
        const after = onlyCookie(login);
        assert.deepEqual(json(await h.withCookie(after, '/read')), { userId: 'alice', isNew: false, data: { a: '1' } });
        const pushed = await h.withCookie(after, '/push?value=x');
        assert.equal(pushed.status, 200);
        assert.deepEqual(json(await h.withCookie(after, '/read')).data, { a: '1', list: ['x'] });
      });
    });

    it('hostile keys (__proto__, constructor) are plain data; a reserved name (userId, id) goes through the error path', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/set?key=__proto__&value=x'));
        await h.withCookie(cookie, '/set?key=constructor&value=y');
        await h.withCookie(cookie, '/set?key=hasOwnProperty&value=z');
        assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
        const read = await h.withCookie(cookie, '/read');
        assert.equal(read.status, 200);
        assert.equal(read.body.includes('"__proto__":"x"'), true, read.body);
        assert.deepEqual(Object.entries(json(read).data as object).sort(), [['__proto__', 'x'], ['constructor', 'y'], ['hasOwnProperty', 'z']]);
        for (const key of ['userId', 'id']) {
          const reserved = await h.withCookie(cookie, `/set?key=${key}&value=evil`);
          assert.equal(reserved.status, 500, key);
          assert.equal(reserved.body, 'error');
        }
        assert.equal(json(await h.withCookie(cookie, '/read')).userId, null);
      });
    });

    it('50 parallel requests on one session, each setting a different key: all 50 keys present after', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/set?key=init&value=0'));
        const replies = await Promise.all(
          Array.from({ length: 50 }, (_, i) => h.withCookie(cookie, `/set?key=k${i}&value=${i}`)),
        );
        for (const r of replies) assert.equal(r.status, 200);
        const data = json<{ data: Record<string, string> }>(await h.withCookie(cookie, '/read')).data;
        const expected: Record<string, string> = { init: '0' };
        for (let i = 0; i < 50; i++) expected[`k${i}`] = String(i);
        assert.deepEqual(data, expected);
        assert.equal(h.store.calls.set, 1, 'one record, patched per key');
      });
    });

    it('nested mutation ((session.list ??= []).push(v)) persists', async () => {
      await withApp(fixture, {}, async (h) => {
        const cookie = onlyCookie(await h.request('/push?value=a'));
        const second = await h.withCookie(cookie, '/push?value=b');
        assert.equal(second.status, 200);
        assert.equal(second.cookies.length, 0, 'a change within touchAfter sends no cookie (its Max-Age still matches the record)');
        await h.withCookie(cookie, '/push?value=c');
        assert.deepEqual(json(await h.withCookie(cookie, '/read')).data, { list: ['a', 'b', 'c'] });
        assert.equal(h.store.calls.patch, 2);
      });
    });
  });
}
