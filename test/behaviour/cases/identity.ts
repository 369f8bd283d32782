/** Fixation, login/logout ID lifecycle, and every kind of bad cookie (tampered, wrong/old secret, unsigned). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../src/stores/memory/index.ts';
import { json } from '../client.ts';
import type { AppFixture } from '../fixture.ts';
import { OLD_SECRET, OTHER_SECRET, SECRET, boot, idOf, onlyCookie, randomId, sign, tamper, withApp, type Harness } from '../harness.ts';

interface ReadBody {
  userId: string | null;
  isNew: boolean;
  data: Record<string, unknown>;
}

/** A stored session with { a: '1' }; returns its cookie value. */
async function seed(h: Harness): Promise<string> {
  const reply = await h.request('/set?key=a&value=1');
  assert.equal(reply.status, 200);
  return onlyCookie(reply).value;
}

/** A cookie the server must refuse: no store read, a `rejected` event, a fresh anonymous session. */
async function assertRejected(h: Harness, value: string, reason: string): Promise<void> {
  h.store.reset();
  h.events.length = 0;
  const read = await h.withCookie(`sid=${value}`, '/read');
  assert.equal(read.status, 200);
  assert.deepEqual(json<ReadBody>(read), { userId: null, isNew: true, data: {} });
  assert.equal(h.store.calls.get, 0, 'a rejected cookie never reaches the store');
  assert.equal(h.store.total, 0);
  const rejected = h.eventsOf('rejected');
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0]?.reason, reason);
  assert.ok(!JSON.stringify(rejected).includes(idOf(value)), 'events never carry the raw ID');

  // Writing on top of it starts a brand-new session under a new ID.
  const write = await h.withCookie(`sid=${value}`, '/set?key=b&value=2');
  const fresh = onlyCookie(write).value;
  assert.notEqual(idOf(fresh), idOf(value));
  assert.deepEqual(json(write), { b: '2' });
}

export function identityCases(fixture: AppFixture): void {
  describe('fixation, login and logout', () => {
    it('a well-formed, correctly signed ID the server never issued is not adopted', async () => {
      await withApp(fixture, {}, async (h) => {
        const forged = sign(randomId());
        const read = await h.withCookie(`sid=${forged}`, '/read');
        assert.deepEqual(json<ReadBody>(read), { userId: null, isNew: true, data: {} });
        assert.equal(h.eventsOf('rejected')[0]?.reason, 'unknown');

        const write = await h.withCookie(`sid=${forged}`, '/set?key=a&value=1');
        const issued = onlyCookie(write);
        assert.notEqual(idOf(issued.value), idOf(forged), 'a new ID is issued');
        for (const c of write.cookies) assert.ok(!c.raw.includes(idOf(forged)), 'the planted ID is never echoed');

        const login = await h.withCookie(`sid=${forged}`, '/login?user=mallory', { method: 'POST' });
        assert.ok(!onlyCookie(login).raw.includes(idOf(forged)));
      });
    });

    it('login changes the ID, keeps the data, and the pre-login cookie no longer works', async () => {
      await withApp(fixture, {}, async (h) => {
        const before = await seed(h);
        const login = await h.withCookie(`sid=${before}`, '/login?user=alice', { method: 'POST' });
        assert.equal(login.status, 200);
        assert.deepEqual(json(login), { userId: 'alice' });
        const after = onlyCookie(login).value;
        assert.notEqual(idOf(after), idOf(before));

        assert.deepEqual(json<ReadBody>(await h.withCookie(`sid=${after}`, '/read')), { userId: 'alice', isNew: false, data: { a: '1' } });
        assert.deepEqual(json<ReadBody>(await h.withCookie(`sid=${before}`, '/read')), { userId: null, isNew: true, data: {} });
        const login2 = h.eventsOf('login');
        assert.equal(login2.length, 1);
        assert.equal(login2[0]?.userId, 'alice');
      });
    });

    it(
      'a request still carrying the pre-login cookie (sent while the login was in flight) does not clear the new cookie',
      async () => {
        await withApp(fixture, {}, async (h) => {
          const before = await seed(h);
          onlyCookie(await h.withCookie(`sid=${before}`, '/login?user=alice', { method: 'POST' }));
          const inFlight = await h.withCookie(`sid=${before}`, '/read');
          assert.equal(json<ReadBody>(inFlight).isNew, true);
          assert.deepEqual(
            inFlight.cookies.filter((c) => c.attrs['max-age'] === '0').map((c) => c.raw),
            [],
            'a stale request must not delete whatever session cookie the browser holds now',
          );
        });
      },
    );

    it('regenerate gives a new ID with the data; the old cookie is dead', async () => {
      await withApp(fixture, {}, async (h) => {
        const before = await seed(h);
        const regen = await h.withCookie(`sid=${before}`, '/regenerate', { method: 'POST' });
        const after = onlyCookie(regen).value;
        assert.notEqual(idOf(after), idOf(before));
        assert.deepEqual(json<ReadBody>(await h.withCookie(`sid=${after}`, '/read')).data, { a: '1' });
        assert.equal(json<ReadBody>(await h.withCookie(`sid=${before}`, '/read')).isNew, true);
      });
    });

    for (const [route, tls] of [['logout', false], ['destroy', false], ['logout', true]] as const) {
      it(`${route}${tls ? ' over TLS' : ''}: cookie cleared with the same attributes, record gone, replay is a fresh anonymous session`, async () => {
        await withApp(fixture, { tls, session: { production: tls } }, async (h) => {
          const anon = onlyCookie(await h.request('/set?key=a&value=1'));
          const login = await h.withCookie(anon, '/login?user=bob', { method: 'POST' });
          const cookie = onlyCookie(login);
          const key = h.store.setKeys.at(-1) as string;
          assert.notEqual(await h.store.inner.get(key), null);

          const out = await h.withCookie(cookie, `/${route}`, { method: 'POST' });
          assert.equal(out.status, 200);
          const cleared = onlyCookie(out);
          assert.equal(cleared.name, cookie.name);
          assert.equal(cleared.value, '');
          assert.equal(cleared.attrs['max-age'], '0');
          assert.equal(new Date(String(cleared.attrs.expires)).getTime(), 0);
          const same = (attrs: Record<string, string | true>) => {
            const { 'max-age': _m, expires: _e, ...rest } = attrs;
            return rest;
          };
          assert.deepEqual(same(cleared.attrs), same(cookie.attrs), 'cleared with the attributes it was set with');

          assert.equal(await h.store.inner.get(key), null, 'the record is gone from the store');
          const replay = await h.withCookie(cookie, '/read');
          assert.deepEqual(json<ReadBody>(replay), { userId: null, isNew: true, data: {} });
          assert.equal(h.eventsOf(route === 'logout' ? 'logout' : 'destroyed').length, 1);
        });
      });
    }
  });

  describe('bad cookies', () => {
    it('one character of the MAC changed → rejected (bad-signature), never reaches the store', async () => {
      await withApp(fixture, {}, async (h) => {
        const value = await seed(h);
        await assertRejected(h, tamper(value, 60), 'bad-signature');
      });
    });

    it('one character of the ID changed → rejected (bad-signature), never reaches the store', async () => {
      await withApp(fixture, {}, async (h) => {
        const value = await seed(h);
        await assertRejected(h, tamper(value, 10), 'bad-signature');
      });
    });

    it('an issued ID signed with a wrong secret → rejected', async () => {
      await withApp(fixture, {}, async (h) => {
        const value = await seed(h);
        await assertRejected(h, sign(idOf(value), OTHER_SECRET), 'bad-signature');
      });
    });

    it('an issued ID with no signature (raw ID) → rejected as malformed', async () => {
      await withApp(fixture, {}, async (h) => {
        const value = await seed(h);
        await assertRejected(h, idOf(value), 'malformed');
        await assertRejected(h, `${idOf(value)}.`, 'malformed');
      });
    });

    it('after rotation (secrets: [new, old]) an old-secret cookie is accepted and re-signed with the new secret on its next write', async () => {
      const inner = new MemoryStore({ sweepInterval: 0 });
      const oldApp = await boot(fixture, { inner, session: { secrets: OLD_SECRET } });
      let value: string;
      try {
        value = await seed(oldApp);
        assert.equal(value, sign(idOf(value), OLD_SECRET));
      } finally {
        await oldApp.close();
      }
      await withApp(fixture, { inner, session: { secrets: [SECRET, OLD_SECRET] } }, async (h) => {
        const read = await h.withCookie(`sid=${value}`, '/read');
        assert.deepEqual(json<ReadBody>(read), { userId: null, isNew: false, data: { a: '1' } });
        assert.equal(read.cookies.length, 0, 'a read does not rewrite the cookie');

        const write = await h.withCookie(`sid=${value}`, '/set?key=b&value=2');
        const resigned = onlyCookie(write).value;
        assert.equal(idOf(resigned), idOf(value), 'same session');
        assert.equal(resigned, sign(idOf(value), SECRET), 're-signed with the current secret');
        assert.deepEqual(json<ReadBody>(await h.withCookie(`sid=${resigned}`, '/read')).data, { a: '1', b: '2' });
      });
      await withApp(fixture, { inner, session: { secrets: SECRET } }, async (h) => {
        // Once the old secret is dropped, old-secret cookies stop working.
        await assertRejected(h, value, 'bad-signature');
      });
    });
  });
}
