/**
 * Byte compatibility with express-session 1.19: the same Set-Cookie lines, cookies made by one
 * verified by the other (both directions, rotation included), the same records in the same store,
 * and the Cookie class behaving exactly like express-session's (a property test).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, describe, it, mock } from 'node:test';
import express, { type RequestHandler } from 'express';
import fc from 'fast-check';
import type { CookieOptions } from '../../src/adapters/express-session/index.ts';
import { createSigner } from '../../src/compat/express-session/signature.ts';
import { Client, dropIn, json, realSession, recordingLogger, SECRET, sessionLine, startApp, type Impl, type RunningApp } from './express-session-harness.ts';

// express-session's own Cookie class (not exported by its typings).
const RealCookie = (realSession as unknown as { Cookie: new (o?: object) => Record<string, unknown> & { serialize(n: string, v: string): string; toJSON(): unknown } }).Cookie;

const servers: RunningApp[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function app(impl: Impl, options: Record<string, unknown>, tls = false): Promise<RunningApp> {
  const extra = impl === 'holdfast' ? { logger: recordingLogger() } : {};
  const running = await startApp({ impl, tls, options: { secret: SECRET, resave: false, saveUninitialized: false, ...extra, ...options } });
  servers.push(running);
  return running;
}

describe('Set-Cookie is byte for byte the same', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['defaults', {}, false],
    ['every attribute', { cookie: { domain: 'example.test', path: '/', httpOnly: true, sameSite: 'strict', priority: 'high', partitioned: true, secure: true, expires: new Date(Date.UTC(2031, 0, 2, 3, 4, 5)) } }, true],
    ['httpOnly false, sameSite lax, a name', { name: 'my.sid', cookie: { httpOnly: false, sameSite: 'lax' } }, false],
    ['sameSite true, priority low, secure auto over https', { cookie: { sameSite: true, priority: 'low', secure: 'auto' } }, true],
  ];
  for (const [label, options, tls] of cases) {
    it(label, async () => {
      const name = typeof options.name === 'string' ? options.name : 'connect.sid';
      const genid = () => 'the-same-session-id';
      const lines: string[] = [];
      for (const impl of ['express-session', 'holdfast'] as const) {
        const a = await app(impl, { ...options, genid }, tls);
        const line = sessionLine(await new Client(a, name).get('/set?k=a&v=1'), name);
        assert.ok(line, `${impl} set a cookie`);
        lines.push(line);
      }
      assert.equal(lines[1], lines[0]);
    });
  }

  it('with cookie.maxAge the Expires attribute is computed the same way', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2030, 5, 6, 7, 8, 9) });
    try {
      const lines: string[] = [];
      for (const impl of ['express-session', 'holdfast'] as const) {
        const a = await app(impl, { cookie: { maxAge: 3_600_000 }, genid: () => 'same-id' });
        lines.push(sessionLine(await new Client(a).get('/set?k=a&v=1')) as string);
      }
      assert.equal(lines[1], lines[0]);
      assert.match(lines[0] as string, /Expires=Thu, 06 Jun 2030 08:08:09 GMT/);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('one store, two libraries: nobody is signed out', () => {
  for (const [from, to] of [
    ['express-session', 'holdfast'],
    ['holdfast', 'express-session'],
  ] as const) {
    it(`a session made by ${from} is read and updated by ${to}, and read back by ${from}`, async () => {
      const store = new realSession.MemoryStore();
      const a = await app(from, { store, cookie: { maxAge: 600_000 } });
      const b = await app(to, { store, cookie: { maxAge: 600_000 } });
      const onA = new Client(a);
      await onA.get('/set?k=user&v=ada');
      const onB = new Client(b);
      onB.cookie = onA.cookie;
      const read = await onB.get('/read');
      assert.deepEqual(json(read).data, { user: 'ada' });
      assert.equal(json(read).id, onA.id);
      await onB.get('/push?v=1');
      onA.cookie = onB.cookie;
      assert.deepEqual(json(await onA.get('/read')).data, { user: 'ada', list: ['1'] });
    });
  }

  it('the stored records have the same shape (express-session can read what the drop-in writes)', async () => {
    // Date frozen: originalMaxAge is recomputed from `expires` on each load, so a millisecond
    // tick between two requests would show up as 599999 vs 600000.
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2030, 5, 6, 7, 8, 9) });
    try {
      await sameShape();
    } finally {
      mock.timers.reset();
    }
  });

  async function sameShape(): Promise<void> {
    const records: Record<string, unknown>[] = [];
    for (const impl of ['express-session', 'holdfast'] as const) {
      const store = new realSession.MemoryStore() as unknown as { sessions: Record<string, string> };
      const a = await app(impl, { store, cookie: { maxAge: 600_000, sameSite: 'lax' } });
      const c = new Client(a);
      await c.get('/set?k=user&v=ada');
      await c.get('/push?v=x');
      const raw = JSON.parse(store.sessions[c.id as string] as string) as { cookie: { expires: string } };
      assert.ok(!Number.isNaN(Date.parse(raw.cookie.expires)));
      raw.cookie.expires = '<time>';
      records.push(raw);
    }
    assert.deepEqual(records[1], records[0]);
    assert.deepEqual(Object.keys(records[1] as object), Object.keys(records[0] as object), 'same key order');
  }

  it('secret rotation: [new, old] verifies cookies signed with old, signs new ones with new', async () => {
    const store = new realSession.MemoryStore();
    const old = await app('express-session', { store, secret: 'the-old-secret-that-signed-everything' });
    const rotated = await app('holdfast', { store, secret: ['the-new-secret-0123456789abcdefghij', 'the-old-secret-that-signed-everything'] });
    const c = new Client(old);
    await c.get('/set?k=user&v=ada');
    const d = new Client(rotated);
    d.cookie = c.cookie;
    assert.deepEqual(json(await d.get('/read')).data, { user: 'ada' });
    const fresh = new Client(rotated);
    await fresh.get('/set?k=user&v=bob');
    const value = decodeURIComponent(fresh.cookie as string);
    const id = value.slice(2, value.lastIndexOf('.'));
    const mac = createHmac('sha256', 'the-new-secret-0123456789abcdefghij').update(id).digest('base64').replace(/=+$/, '');
    assert.equal(value, `s:${id}.${mac}`);
    // and express-session configured with only the new secret reads it
    const upgraded = await app('express-session', { store, secret: 'the-new-secret-0123456789abcdefghij' });
    const e = new Client(upgraded);
    e.cookie = fresh.cookie;
    assert.deepEqual(json(await e.get('/read')).data, { user: 'bob' });
  });

  it('cookie values express-session rejects are rejected too (no padding, no other separators, other secret)', async () => {
    const store = new realSession.MemoryStore();
    const a = await app('holdfast', { store });
    const c = new Client(a);
    await c.get('/set?k=user&v=ada');
    const value = decodeURIComponent(c.cookie as string);
    const id = value.slice(2, value.lastIndexOf('.'));
    const mac = value.slice(value.lastIndexOf('.') + 1);
    const other = createHmac('sha256', 'another-secret').update(id).digest('base64').replace(/=+$/, '');
    for (const bad of [`s:${id}.${mac}=`, `s:${id}.${mac.slice(0, -1)}`, `${id}.${mac}`, `s:${id}.${other}`, `s:${id}x.${mac}`, `s:${id}.${mac}Ł`]) {
      const res = await new Client(a).get('/read', { cookie: `connect.sid=${encodeURIComponent(bad)}` });
      assert.deepEqual(json(res).data, {}, `rejected: ${bad.slice(-8)}`);
    }
    // the same value quoted or with spaces around it is what cookie 0.7 (express-session) accepts
    const quoted = await new Client(a).get('/read', { cookie: `other=1; connect.sid="${c.cookie}" ; x=y` });
    assert.deepEqual(json(quoted).data, { user: 'ada' });
  });

  it("without a secret option, cookie-parser's req.secret signs and verifies (express-session's fallback)", async () => {
    const x = express();
    x.use((req, _res, next) => {
      (req as unknown as { secret: string }).secret = SECRET;
      next();
    });
    x.use(dropIn({ resave: false, saveUninitialized: false, logger: recordingLogger() }) as RequestHandler);
    x.get('/set', (req, res) => {
      (req as unknown as { session: Record<string, unknown> }).session.a = 1;
      res.send('ok');
    });
    const server = createServer(x);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push({ port: 0, tls: false, close: () => new Promise((r) => server.close(() => r())) });
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/set`);
    const cookie = decodeURIComponent((res.headers.getSetCookie()[0] as string).split(';')[0]!.split('=')[1] as string);
    const id = cookie.slice(2, cookie.lastIndexOf('.'));
    assert.equal(cookie, `s:${id}.${createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '')}`);
  });
});

describe('Cookie behaves like express-session\'s Cookie', () => {
  const option = fc.record(
    {
      maxAge: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000_000 }), { nil: undefined }),
      expires: fc.option(fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }), { nil: undefined }),
      httpOnly: fc.option(fc.boolean(), { nil: undefined }),
      secure: fc.option(fc.boolean(), { nil: undefined }),
      sameSite: fc.option(fc.constantFrom<unknown>(true, false, 'lax', 'strict', 'none', 'Lax', 'Strict'), { nil: undefined }),
      domain: fc.option(fc.constantFrom('example.com', '.example.com', 'a.b.example'), { nil: undefined }),
      path: fc.option(fc.constantFrom('/', '/admin', '/a/b'), { nil: undefined }),
      partitioned: fc.option(fc.boolean(), { nil: undefined }),
      priority: fc.option(fc.constantFrom<CookieOptions['priority']>('low', 'medium', 'high'), { nil: undefined }),
      originalMaxAge: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
    },
    { requiredKeys: [] },
  );

  it('same own properties, maxAge, expires, toJSON and serialize for any options', () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2029, 1, 2, 3, 4, 5) });
    try {
      fc.assert(
        fc.property(option, (opts) => {
          const ours = new dropIn.Cookie(opts as unknown as CookieOptions) as unknown as Record<string, unknown> & { serialize(n: string, v: string): string; toJSON(): unknown };
          const theirs = new RealCookie(opts);
          assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)));
          assert.deepEqual({ ...ours }, { ...theirs });
          assert.equal(ours.maxAge, theirs.maxAge);
          assert.deepEqual(ours.expires, theirs.expires);
          assert.equal(ours.originalMaxAge, theirs.originalMaxAge);
          let a: string | Error;
          let b: string | Error;
          try {
            a = ours.serialize('sid', 's:abc.def');
          } catch (error) {
            a = error as Error;
          }
          try {
            b = theirs.serialize('sid', 's:abc.def');
          } catch (error) {
            b = error as Error;
          }
          if (a instanceof Error || b instanceof Error) assert.equal(a instanceof Error, b instanceof Error, `${String(a)} vs ${String(b)}`);
          else assert.equal(a, b);
          // and after the session touches it
          ours.maxAge = ours.originalMaxAge as number;
          theirs.maxAge = theirs.originalMaxAge;
          assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)));
        }),
        { numRuns: 300 },
      );
    } finally {
      mock.timers.reset();
    }
  });

  it('rejects what express-session rejects', () => {
    assert.throws(() => new dropIn.Cookie('x' as unknown as CookieOptions), { message: 'argument options must be a object' });
    const c = new dropIn.Cookie();
    assert.throws(() => {
      (c as unknown as { maxAge: unknown }).maxAge = 'soon';
    }, { message: 'maxAge must be a number or Date' });
  });
});

describe('signature verification accepts exactly what cookie-signature accepts', () => {
  // express-session's own cookie-signature 1.0.x (a nested dependency)
  const require = createRequire(import.meta.url);
  const signature = require(require.resolve('cookie-signature', { paths: [require.resolve('express-session')] })) as {
    sign(v: string, s: string): string;
    unsign(v: string, s: string): string | false;
  };
  const secrets = ['first-secret-first-secret-first-secret', 'second-secret-second-secret'];

  it('for signed values, near misses and garbage (property test), through the memo too', () => {
    const signer = createSigner(secrets);
    const ids = fc.oneof(fc.string(), fc.base64String(), fc.constant('Z0pABBqixJdlgdthLJ5EKNxr9hK-Cne5'), fc.string({ unit: 'grapheme' }));
    const values = fc.oneof(
      fc.tuple(ids, fc.constantFrom(0, 1)).map(([id, i]) => signature.sign(id, secrets[i] as string)),
      fc.tuple(ids, fc.constantFrom(0, 1), fc.nat(60), fc.string({ maxLength: 2 })).map(([id, i, at, junk]) => {
        const v = signature.sign(id, secrets[i] as string);
        return v.slice(0, at) + junk + v.slice(at + junk.length);
      }),
      fc.tuple(ids).map(([id]) => signature.sign(id, 'a-third-secret-nobody-configured')),
      fc.string(),
    );
    fc.assert(
      fc.property(values, (value) => {
        const expected = secrets.map((s) => signature.unsign(value, s)).find((r) => r !== false);
        assert.equal(signer.unsign(value), expected === undefined ? undefined : expected);
        assert.equal(signer.unsign(value), expected === undefined ? undefined : expected, 'second time (memo)');
      }),
      { numRuns: 2_000 },
    );
  });

  it('signs with the first secret, exactly like cookie-signature', () => {
    const signer = createSigner(secrets);
    for (const id of ['abc', 'Z0pABBqixJdlgdthLJ5EKNxr9hK-Cne5', 'ünïcödé', '']) {
      assert.equal(signer.sign(id), `s:${signature.sign(id, secrets[0] as string)}`);
    }
  });
});
