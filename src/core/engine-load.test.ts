/**
 * engine.load(): the cookie is verified before the store is touched; a broken store fails fast
 * with a 503 StoreError; a store answering garbage collapses into "no session".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, pairOf, view, type Harness } from '../../test/support/core-engine.ts';
import { CorruptRecordError, RecordTooLargeError, StoreError, StoreTimeoutError } from './errors.ts';
import { createKeyring } from './keyring.ts';
import { generateId } from './ids.ts';
import type { Logger } from './logger.ts';

async function stored(h: Harness): Promise<string> {
  const ctx = await h.load();
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  const cookie = pairOf(await h.commit(ctx));
  h.store.reset();
  h.events.length = 0;
  return cookie;
}

test('mayHaveSession is a cheap substring check for our cookie names', () => {
  const h = harness();
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['theme=dark', false],
    ['sid=abc', true],
    ['__Host-sid=abc', true],
    ['a=1; sid=x', true],
    ['xsid=1', true],
  ];
  for (const [header, expected] of cases) assert.equal(h.engine.mayHaveSession(header), expected, String(header));
});

test('requests without our cookie never reach the store', async () => {
  const h = harness();
  for (const cookie of [undefined, '', 'theme=dark', 'xsid=1', 'other=1; sid2=2']) {
    const ctx = await h.load(cookie);
    assert.equal(ctx.session.isNew, true);
    assert.equal(await h.commit(ctx), undefined, `no cookie to clear for ${String(cookie)}`);
  }
  assert.deepEqual(h.store.calls, []);
  assert.deepEqual(h.events, []);
});

test("forged, tampered and malformed cookies never reach the store; rejected event; no Set-Cookie", async () => {
  const h = harness();
  const good = await stored(h);
  const value = good.slice('__Host-sid='.length);
  const foreign = createKeyring('another-secret-entirely-0123456789abcdef', false).sign(value.slice(0, 43));
  const cases: [string, string][] = [
    [`${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`, 'bad-signature'],
    [`${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`, 'bad-signature'],
    [foreign, 'bad-signature'],
    [value.slice(0, 43), 'malformed'],
    [`${value}x`, 'malformed'],
    ['', 'malformed'],
    ['s%3Aexpress-session-style.sig', 'malformed'],
    ['%E0%A4%A', 'malformed'],
  ];
  for (const [cookieValue, reason] of cases) {
    h.events.length = 0;
    const ctx = await h.load(`__Host-sid=${cookieValue}`);
    assert.equal(ctx.session.isNew, true);
    assert.deepEqual(h.events.map((e) => [e.type, e.reason, e.handle]), [['rejected', reason, undefined]], cookieValue);
    assert.equal(await h.commit(ctx), undefined, 'the bad cookie is left alone (a clear could race a concurrent login)');
  }
  assert.deepEqual(h.store.calls, [], 'no store call for any of them');
});

test('a validly signed ID the server never issued: one get, rejected "unknown", never adopted', async () => {
  const h = harness();
  const id = generateId();
  const cookie = `__Host-sid=${h.engine.keyring.sign(id)}`;
  const ctx = await h.load(cookie);
  assert.equal(ctx.session.isNew, true);
  assert.deepEqual(h.store.calls.map((c) => c.op), ['get']);
  assert.deepEqual(h.events.map((e) => [e.type, e.reason]), [['rejected', 'unknown']]);
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  const setCookie = await h.commit(ctx);
  assert.notEqual(ctx.session.id, id, 'a fresh ID, not the one the client offered');
  assert.ok(!(setCookie ?? '').includes(id));
});

test('the store only ever sees the SHA-256 key, never the raw ID', async () => {
  const h = harness();
  const cookie = await stored(h);
  const ctx = await h.load(cookie);
  (ctx.session as unknown as Record<string, unknown>).b = 2;
  await ctx.session.login('w');
  await h.commit(ctx);
  const id = cookie.slice('__Host-sid='.length, '__Host-sid='.length + 43);
  const everything = JSON.stringify(h.store.calls);
  assert.ok(!everything.includes(id));
  assert.ok(!everything.includes(ctx.session.id));
});

test('a store that returns garbage for get: new anonymous session and rejected "corrupt-record", not a throw', async () => {
  const garbage: unknown[] = [
    { meta: { createdAt: 'yesterday' }, data: 42 },
    'a string',
    42,
    { meta: null, data: {} },
    { data: {} },
    { meta: { createdAt: 1, touchedAt: 1, expiresAt: 1, userId: 7 }, data: {} },
    { meta: { createdAt: 1, touchedAt: 1, expiresAt: 1 }, data: { k: 1 } },
  ];
  for (const junk of garbage) {
    const h = harness();
    const cookie = await stored(h);
    h.store.mode = 'garbage';
    h.store.garbage = junk;
    const ctx = await h.load(cookie);
    assert.equal(ctx.session.isNew, true, JSON.stringify(junk));
    assert.deepEqual(h.events.map((e) => [e.type, e.reason]), [['rejected', 'corrupt-record']]);
    assert.match(String(h.events[0]?.handle), /^[\w-]{12}$/);
    h.store.mode = 'none';
    assert.equal(await h.commit(ctx), undefined);
  }
});

test('a store that throws CorruptRecordError itself is treated the same way', async () => {
  const h = harness();
  const cookie = await stored(h);
  h.store.inner.get = () => Promise.reject(new CorruptRecordError('bad row'));
  const ctx = await h.load(cookie);
  assert.equal(ctx.session.isNew, true);
  assert.equal(h.events[0]?.reason, 'corrupt-record');
});

for (const mode of ['reject', 'throw'] as const) {
  test(`a store that ${mode === 'reject' ? 'rejects' : 'throws synchronously'}: load rejects with a 503 StoreError`, async () => {
    const h = harness();
    const cookie = await stored(h);
    h.store.mode = mode;
    await assert.rejects(h.load(cookie), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.ok(!(error instanceof CorruptRecordError));
      assert.equal(error.status, 503);
      assert.equal(error.statusCode, 503);
      assert.equal(error.code, 'ERR_HOLDFAST_STORE');
      assert.equal(error.message, 'session store get failed');
      assert.match(String((error.cause as Error).message), /on purpose/);
      assert.ok(!error.message.includes(cookie.slice(11, 54)));
      return true;
    });
    assert.deepEqual(h.events, [], 'never a silent anonymous session');
  });
}

test('a store that hangs: StoreTimeoutError within storeTimeout, for load and for commit', async () => {
  const h = harness({ storeTimeout: '60ms' });
  const cookie = await stored(h);
  h.store.mode = 'hang';
  let started = performance.now();
  await assert.rejects(h.load(cookie), (error: unknown) => {
    assert.ok(error instanceof StoreTimeoutError);
    assert.equal(error.status, 503);
    assert.equal(error.code, 'ERR_HOLDFAST_STORE_TIMEOUT');
    assert.match(error.message, /get did not answer within 60 ms/);
    return true;
  });
  let elapsed = performance.now() - started;
  assert.ok(elapsed >= 55 && elapsed < 1000, `timed out after ${elapsed} ms`);

  const ctx = h.engine.fresh(view());
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  const plan = ctx.beginCommit();
  assert.equal(plan.pending, true);
  started = performance.now();
  await assert.rejects(plan.done, StoreTimeoutError);
  elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `commit timed out after ${elapsed} ms`);
});

test('a failing write rejects the commit (and lifecycle calls) with a StoreError', async () => {
  const h = harness();
  const cookie = await stored(h);
  const ctx = await h.load(cookie);
  (ctx.session as unknown as Record<string, unknown>).b = 2;
  h.store.mode = 'reject';
  const plan = ctx.beginCommit();
  await assert.rejects(plan.done, { name: 'StoreError', status: 503 });

  h.store.mode = 'none';
  const other = await h.load(cookie);
  h.store.mode = 'reject';
  await assert.rejects(other.session.login('x'), StoreError);
  await assert.rejects(other.session.logout(), StoreError);
  await assert.rejects(h.engine.listSessions('x'), StoreError);
  await assert.rejects(h.engine.revokeSession('x', 'AAAAAAAAAAAA'), StoreError);
  await assert.rejects(h.engine.revokeAllSessions('x'), StoreError);
});

test('an oversized record passes through as RecordTooLargeError (not disguised as a 503)', async () => {
  const h = harness();
  h.store.inner.set = async () => {
    throw new RecordTooLargeError('session data is 2000000 bytes, over this store\'s limit');
  };
  const ctx = await h.load();
  (ctx.session as unknown as Record<string, unknown>).big = 'x';
  await assert.rejects(ctx.beginCommit().done, RecordTooLargeError);
});

test('a throwing event listener never breaks the request', async () => {
  const h = harness();
  const errors: unknown[] = [];
  const logger: Logger = { info() {}, warn() {}, error: (obj) => void errors.push(obj) };
  const withLogger = harness({ logger });
  for (const x of [h, withLogger]) {
    x.engine.on('created', () => {
      throw new Error('listener bug');
    });
  }
  const original = console.error;
  console.error = () => undefined;
  try {
    for (const x of [h, withLogger]) {
      const ctx = await x.load();
      (ctx.session as unknown as Record<string, unknown>).a = 1;
      assert.match((await x.commit(ctx)) ?? '', /^__Host-sid=/);
    }
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 1);
});

test('a logger hears events without IDs; rejected at warn level', async () => {
  const lines: [string, unknown, string | undefined][] = [];
  const logger: Logger = {
    info: (obj, msg) => void lines.push(['info', obj, msg]),
    warn: (obj, msg) => void lines.push(['warn', obj, msg]),
    error: (obj, msg) => void lines.push(['error', obj, msg]),
  };
  const h = harness({ logger });
  const cookie = await stored(h);
  await h.load(`${cookie.slice(0, -2)}zz`);
  const ctx = await h.load(cookie);
  await ctx.session.login('yan');
  await h.commit(ctx);
  // The logged line names each event in the OWASP vocabulary (audit-vocabulary.ts).
  assert.deepEqual(lines.map(([level, obj]) => [level, (obj as { event: string }).event]), [
    ['info', 'session_created'],
    ['warn', 'authz_fail:,session'],
    ['info', 'authn_login_success:yan'],
  ]);
  assert.deepEqual(lines.map(([, obj]) => (obj as { type: string }).type), ['created', 'rejected', 'login']);
  assert.ok(lines.every(([, obj, msg]) => msg === (obj as { description: string }).description));
  const text = JSON.stringify(lines);
  assert.ok(!text.includes(cookie.slice(11, 54)));
  assert.ok(!text.includes(ctx.session.id));
  assert.ok(!text.includes(ctx.key));
});

test('production over plain http: no cookie and no store write, one warning that names the fix', async () => {
  const warnings: string[] = [];
  const logger: Logger = { info() {}, warn: (_obj, msg) => void warnings.push(msg ?? ''), error() {} };
  const h = harness({ production: true, logger, secrets: 'p'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz0123456789' });
  for (let i = 0; i < 3; i++) {
    const ctx = await h.load(undefined, { secure: false });
    (ctx.session as unknown as Record<string, unknown>).a = 1;
    assert.equal(await h.commit(ctx), undefined);
  }
  assert.deepEqual(h.store.calls, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /not sent because the request is not secure/);
  assert.match(warnings[0] ?? '', /trustProxy/);
});

test('development over plain http: the cookie is `sid` without Secure, and a __Host- cookie is not read there', async () => {
  const h = harness();
  const ctx = await h.load(undefined, { secure: false });
  (ctx.session as unknown as Record<string, unknown>).a = 1;
  const setCookie = await h.commit(ctx);
  assert.match(setCookie ?? '', /^sid=[\w-]{43}\.[\w-]{43}; Max-Age=900; Path=\/; HttpOnly; SameSite=Lax$/);
  const again = await h.load(pairOf(setCookie), { secure: false });
  assert.equal((again.session as unknown as Record<string, unknown>).a, 1);
  const secureCookie = `__Host-${pairOf(setCookie)}`;
  const plain = await h.load(secureCookie, { secure: false });
  assert.equal(plain.session.isNew, true);
});

test('a cookie verified before is recognised without the keyring, and a tampered MAC for that same ID is still rejected', async () => {
  const h = harness();
  const good = await stored(h);
  const value = good.slice('__Host-sid='.length);
  assert.equal((await h.load(good)).session.isNew, false, 'first load verifies with the keyring and remembers the MAC');
  assert.equal((await h.load(good)).session.isNew, false, 'second load matches the remembered MAC');
  h.store.reset();
  const last = value.at(-1) === 'A' ? 'B' : 'A';
  const foreign = createKeyring('another-secret-entirely-0123456789abcdef', false).sign(value.slice(0, 43));
  for (const forged of [`${value.slice(0, -1)}${last}`, foreign, `${value.slice(0, 44)}${'A'.repeat(43)}`]) {
    h.events.length = 0;
    const ctx = await h.load(`__Host-sid=${forged}`);
    assert.equal(ctx.session.isNew, true, forged);
    assert.deepEqual(h.events.map((e) => [e.type, e.reason]), [['rejected', 'bad-signature']]);
  }
  assert.deepEqual(h.store.calls, [], 'none of them reached the store');
  assert.equal((await h.load(good)).session.isNew, false, 'the genuine cookie still works');
});
