/**
 * Findings of the engine review, each pinned by a test: cookie values we never issued, store
 * misbehaviour, write policy and cost regressions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { createCookiePolicy, type CookieOptions } from './cookie-policy.ts';
import { CorruptRecordError, StoreTimeoutError } from './errors.ts';
import { GuardedStore } from './guarded-store.ts';
import { generateId } from './ids.ts';
import { readCookie } from './read-cookie.ts';
import type { SessionStore } from './store.ts';
import { createKeyring } from './keyring.ts';
import { harness, pairOf, SECRET } from '../../test/support/core-engine.ts';

type Data = Record<string, unknown>;

/** The same string with the character at `i` replaced by one that has the same low byte. */
function sameLowByte(value: string, i: number): string {
  return value.slice(0, i) + String.fromCharCode(0x100 + value.charCodeAt(i)) + value.slice(i + 1);
}

test('keyring: a MAC with a non-ASCII character whose low byte matches is not a valid signature', () => {
  const ring = createKeyring(SECRET, false);
  const value = ring.sign(generateId());
  assert.notEqual(ring.verify(value), null);
  for (const i of [44, 60, 86]) assert.equal(ring.verify(sameLowByte(value, i)), null, `position ${i}`);
});

test('engine: a percent-encoded look-alike of a valid cookie is rejected before the store', async () => {
  const h = harness();
  const ctx = await h.load();
  (ctx.session as unknown as Data).a = 1;
  const pair = pairOf(await h.commit(ctx));
  const [name, value] = pair.split('=') as [string, string];
  // The cookie parser percent-decodes values: U+01xx arrives as one character whose low byte is
  // the MAC character it replaces.
  const forged = `${name}=${value.slice(0, 50)}${encodeURIComponent(String.fromCharCode(0x100 + value.charCodeAt(50)))}${value.slice(51)}`;
  h.store.reset();
  const again = await h.load(forged);
  assert.equal(again.session.isNew, true, 'the look-alike must not load the session');
  assert.equal(h.store.of('get').length, 0, 'a value we never issued never reaches the store');
});

test('a store method that answers synchronously (no promise) works instead of failing with a TypeError (500)', async () => {
  const h = harness();
  const ctx = await h.load();
  (ctx.session as unknown as Data).a = 1;
  const cookie = pairOf(await h.commit(ctx));
  const inner = h.store.inner;
  // A hand-written store that forgot `async` on some methods.
  const sync = inner as unknown as Record<string, unknown>;
  const originalDestroy = inner.destroy.bind(inner);
  sync.destroy = (key: string) => void originalDestroy(key);
  const loaded = await h.load(cookie);
  await loaded.session.logout();
  assert.equal(loaded.session.isNew, true);
});

test('regenerate() on a session revoked between load and regenerate does not bring the user back under a new ID', async () => {
  const h = harness();
  const device = await h.load();
  await device.session.login('wes');
  (device.session as unknown as Data).cart = ['book'];
  const cookie = pairOf(await h.commit(device));
  const ctx = await h.load(cookie);
  assert.equal(ctx.session.userId, 'wes');
  // "Log out everywhere" from another device, while this request is in flight.
  assert.equal(await h.engine.revokeAllSessions('wes'), 1);
  await ctx.session.regenerate();
  assert.equal(ctx.session.userId, null, 'the revoked user is not carried to the new ID');
  const setCookie = await h.commit(ctx);
  assert.deepEqual(await h.engine.listSessions('wes'), [], 'no session of the revoked user exists');
  assert.equal(h.store.inner.size, 0, 'nothing written');
  assert.equal(setCookie === undefined || /Max-Age=0/.test(setCookie), true, 'no live cookie');
  assert.equal(h.events.filter((e) => e.type === 'regenerated').length, 0, 'no regenerated event for a dead session');
});

test('a save() the app did not await, then the response: one write, one created event, the cookie', async () => {
  const h = harness();
  const ctx = await h.load();
  (ctx.session as unknown as Data).a = 1;
  const saving = ctx.session.save(); // not awaited before the response, as `req.session.save(); res.redirect()` does
  const setCookie = await h.commit(ctx);
  await saving;
  assert.deepEqual(h.store.calls.map((c) => c.op), ['set']);
  assert.deepEqual(h.events.map((e) => e.type), ['created']);
  assert.ok(setCookie?.startsWith('__Host-sid='));

  // The same on a stored session: the change is patched once.
  const again = await h.load(pairOf(setCookie));
  h.store.reset();
  (again.session as unknown as Data).b = 2;
  const saving2 = again.session.save();
  (again.session as unknown as Data).c = 3; // changed after the save() started: still written, once
  const second = await h.commit(again);
  await saving2;
  assert.deepEqual(h.store.calls.map((c) => c.op), ['patch', 'patch']);
  const patches = h.store.of('patch').map((c) => Object.keys((c.args[1] as { set: object }).set));
  assert.deepEqual(patches, [['b'], ['c']]);
  assert.equal(second, undefined, 'a change within touchAfter sends no cookie');
});

test('readCookie reads our cookie exactly as cookie.parse() does (fuzzed, 20k headers)', () => {
  const names = ['__Host-sid', 'sid', 'a'];
  const piece = fc.oneof(
    fc.constantFrom('__Host-sid', 'sid', 'a', '=', ';', ' ', '\t', '%', '%41', '%zz', '"', ',', 'x', 'sid=', '__Host-sid=', '; ', '=='),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
      const header = pieces.join('');
      for (const name of names) assert.equal(readCookie(header, name), parseCookies(header)[name], `${JSON.stringify(header)} / ${name}`);
    }),
    { numRuns: 20_000 },
  );
});

test('store timeouts: each call gets its own deadline, fast calls in between are unaffected', async () => {
  const answers = new Map<string, { resolve: (v: null) => void } | 'hang'>();
  const slowStore = {
    get: (key: string) =>
      new Promise<null>((resolve) => {
        if (key.startsWith('hang')) answers.set(key, 'hang');
        else setTimeout(() => resolve(null), Number(key.slice(5)));
      }),
  };
  const guarded = new GuardedStore(slowStore as unknown as SessionStore, 80);
  const started = performance.now();
  const first = guarded.get('hang-1').then(
    () => 'resolved',
    (error: unknown) => (error instanceof StoreTimeoutError ? performance.now() - started : 'other error'),
  );
  await new Promise((r) => setTimeout(r, 40));
  const second = guarded.get('hang-2').then(
    () => 'resolved',
    (error: unknown) => (error instanceof StoreTimeoutError ? performance.now() - started : 'other error'),
  );
  // Quick calls while the hung ones wait: all answer, none times out.
  const quick = await Promise.all(Array.from({ length: 20 }, (_, i) => guarded.get(`fast-${i % 5}`)));
  assert.deepEqual(quick, Array(20).fill(null));
  const [t1, t2] = await Promise.all([first, second]);
  assert.equal(typeof t1, 'number');
  assert.equal(typeof t2, 'number');
  assert.ok((t1 as number) >= 75 && (t1 as number) < 400, `first timed out after ${String(t1)} ms`);
  assert.ok((t2 as number) >= 115 && (t2 as number) < 500, `second timed out after ${String(t2)} ms (its own deadline, not the first's)`);
  // A call that settles late after its timeout is ignored.
  const late = new GuardedStore({ get: () => new Promise((r) => setTimeout(() => r(null), 60)) } as unknown as SessionStore, 20);
  await assert.rejects(late.get('x'), StoreTimeoutError);
  await new Promise((r) => setTimeout(r, 60));
});

test('store timeouts keep the process alive only while a call is pending', () => {
  // A script that makes one quick store call with a long storeTimeout must exit at once.
  const script = `
    import { GuardedStore } from ${JSON.stringify(new URL('./guarded-store.ts', import.meta.url).href)};
    const g = new GuardedStore({ get: async () => null }, 30_000);
    await g.get('k');
    await g.get('k');
  `;
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  const elapsed = performance.now() - started;
  assert.equal(result.status, 0, result.stderr);
  assert.ok(elapsed < 10_000, `the script took ${Math.round(elapsed)} ms to exit`);

  // And a call that hangs (with nothing else keeping the loop alive) still gets its timeout.
  const hanging = `
    import { GuardedStore } from ${JSON.stringify(new URL('./guarded-store.ts', import.meta.url).href)};
    const g = new GuardedStore({ get: async () => null }, 30_000);
    await g.get('k');
    const h = new GuardedStore({ get: () => new Promise(() => {}) }, 100);
    await h.get('k').catch((error) => console.log(error.code));
  `;
  const hung = spawnSync(process.execPath, ['--input-type=module', '-e', hanging], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(hung.status, 0, hung.stderr);
  assert.equal(hung.stdout.trim(), 'ERR_HOLDFAST_STORE_TIMEOUT');
});

test('cookie policy: the Set-Cookie value is byte for byte what cookie.serialize() makes, for every option combination', () => {
  const values = ['', 'a', generateId(), createKeyring(SECRET, false).sign(generateId()), 'x y;z', 'é%', '"q"'];
  const combos: CookieOptions[] = [];
  for (const sameSite of ['lax', 'strict', 'none'] as const) {
    for (const domain of [undefined, 'example.com']) {
      for (const path of ['/', '/app']) {
        for (const partitioned of [false, true]) {
          for (const priority of [undefined, 'low', 'high'] as const) {
            for (const persistent of [true, false]) combos.push({ sameSite, domain, path, partitioned, priority, persistent });
          }
        }
      }
    }
  }
  combos.push({ name: 'custom', sameSite: 'lax' }, { name: '__Secure-s', domain: 'example.com' });
  let checked = 0;
  for (const options of combos) {
    const policy = createCookiePolicy(options, false);
    for (const secure of [true, false]) {
      if (!policy.canSend(secure)) continue;
      const name = policy.nameFor(secure);
      const expected = (value: string, maxAge: number | undefined): string =>
        serializeCookie(name, value, {
          path: options.path ?? '/',
          domain: options.domain,
          httpOnly: true,
          secure,
          sameSite: options.sameSite ?? 'lax',
          partitioned: options.partitioned === true || undefined,
          priority: options.priority,
          maxAge,
        });
      for (const value of values) {
        for (const ms of [0, 999, 1000, 1_800_000, 43_200_000, -5]) {
          const maxAge = options.persistent === false ? undefined : Math.max(0, Math.floor(ms / 1000));
          assert.equal(policy.serialize(secure, value, ms), expected(value, maxAge), JSON.stringify({ options, secure, value, ms }));
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 3000, String(checked));
});

test('a stored value that is not valid JSON: a StoreError (503) that does not quote the data, not a SyntaxError (500) that does', async () => {
  const h = harness();
  const ctx = await h.load();
  (ctx.session as unknown as Data).a = 'private-value';
  const cookie = pairOf(await h.commit(ctx));
  const record = await h.store.inner.get(ctx.key);
  assert.ok(record !== null);
  record.data.a = '"private-value';
  await h.store.inner.set(ctx.key, record);
  const again = await h.load(cookie);
  for (const use of [() => (again.session as unknown as Data).a, () => JSON.stringify(again.session), () => Object.keys(again.session)]) {
    assert.throws(use, (error: unknown) => {
      assert.ok(error instanceof CorruptRecordError, String(error));
      assert.equal(error.status, 503);
      assert.ok(!error.message.includes('private-value'), error.message);
      return true;
    });
  }
});
