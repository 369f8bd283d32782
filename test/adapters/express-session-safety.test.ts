/**
 * What the drop-in fixes or adds on top of express-session: Secure cookies behind proxies (and the
 * hint when one cannot be sent), store failures and hangs answered with 503, Cache-Control on
 * responses that set the cookie, one-time warnings for unsafe settings. Where express-session
 * behaves differently, the test shows that too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express, { type Express, type RequestHandler } from 'express';
import {
  Client,
  counting,
  dropIn,
  recordingLogger,
  realSession,
  SECRET,
  sessionLine,
  startApp,
  type RunningApp,
} from './express-session-harness.ts';
import { TouchLog, touchKey } from '../../src/compat/express-session/touch-log.ts';

const servers: RunningApp[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function app(options: Record<string, unknown>, extra: Parameters<typeof startApp>[0] extends infer T ? Partial<T> : never = {}) {
  const running = await startApp({ impl: 'holdfast', options: { secret: SECRET, resave: false, saveUninitialized: false, ...options }, ...extra });
  servers.push(running);
  return running;
}

describe('Secure cookies and proxies', () => {
  it('secure: true over plain http: no cookie, and a one-time warning that says why', async () => {
    const logger = recordingLogger();
    const a = await app({ cookie: { secure: true }, logger });
    const c = new Client(a);
    const res = await c.get('/set?k=a&v=1');
    assert.equal(sessionLine(res), undefined);
    await c.get('/set?k=a&v=2');
    const hints = logger.warnings.filter((w) => w.includes('Secure session cookie was NOT sent'));
    assert.equal(hints.length, 1, 'warned once');
    assert.match(hints[0] as string, /plain http/);
  });

  it("X-Forwarded-Proto: https without Express's trust proxy: the hint names app.set('trust proxy', 1)", async () => {
    const logger = recordingLogger();
    const a = await app({ cookie: { secure: true }, logger });
    const res = await new Client(a).get('/set?k=a&v=1', { 'x-forwarded-proto': 'https' });
    assert.equal(sessionLine(res), undefined);
    const hint = logger.warnings.find((w) => w.includes('NOT sent'));
    assert.ok(hint, 'a hint was logged');
    assert.match(hint, /X-Forwarded-Proto/);
    assert.match(hint, /app\.set\('trust proxy', 1\)/);
  });

  it("X-ARR-SSL (Azure App Service) without trust proxy: the hint names Azure and the fix", async () => {
    const logger = recordingLogger();
    const a = await app({ cookie: { secure: true }, logger });
    await new Client(a).get('/set?k=a&v=1', { 'x-arr-ssl': '2048|256|CN=Microsoft Azure TLS Issuing CA 01' });
    const hint = logger.warnings.find((w) => w.includes('NOT sent'));
    assert.ok(hint);
    assert.match(hint, /Azure App Service/);
    assert.match(hint, /trust proxy/);
  });

  it("trust proxy + X-ARR-SSL: the drop-in sends the Secure cookie (express-session does not understand X-ARR-SSL)", async () => {
    const configure = (x: Express) => x.set('trust proxy', 1);
    const headers = { 'x-arr-ssl': '2048|256|CN=Azure' };
    const ours = await app({ cookie: { secure: true }, logger: recordingLogger() }, { configure });
    const theirs = await startApp({ impl: 'express-session', configure, options: { secret: SECRET, resave: false, saveUninitialized: false, cookie: { secure: true } } });
    servers.push(theirs);
    assert.match(sessionLine(await new Client(ours).get('/set?k=a&v=1', headers)) ?? '', /; Secure/);
    assert.equal(sessionLine(await new Client(theirs).get('/set?k=a&v=1', headers)), undefined);
  });

  it('trust proxy + Forwarded: proto=https (RFC 7239) counts too', async () => {
    const a = await app({ cookie: { secure: true }, logger: recordingLogger() }, { configure: (x) => x.set('trust proxy', 'loopback') });
    assert.match(sessionLine(await new Client(a).get('/set?k=a&v=1', { forwarded: 'for=203.0.113.9;proto=https' })) ?? '', /; Secure/);
  });

  for (const [label, extra, options] of [
    ["Express's trust proxy", { configure: (x: Express) => x.set('trust proxy', 1) }, {}],
    ['the proxy: true option', {}, { proxy: true }],
  ] as const) {
    it(`X-Forwarded-Proto: https with ${label}: the Secure cookie is sent`, async () => {
      const a = await app({ cookie: { secure: true }, logger: recordingLogger(), ...options }, extra);
      const c = new Client(a);
      const res = await c.get('/set?k=a&v=1', { 'x-forwarded-proto': 'https' });
      assert.match(sessionLine(res) ?? '', /; Secure/);
    });
  }

  it('proxy: false ignores every proxy header (and the hint says so)', async () => {
    const logger = recordingLogger();
    const a = await app({ cookie: { secure: true }, proxy: false, logger }, { configure: (x) => x.set('trust proxy', 1) });
    assert.equal(sessionLine(await new Client(a).get('/set?k=a&v=1', { 'x-forwarded-proto': 'https' })), undefined);
    assert.match(logger.warnings.find((w) => w.includes('NOT sent')) ?? '', /proxy: false/);
  });

  it("secure: 'auto' and sameSite: 'auto': Secure + SameSite=None over https, neither over http", async () => {
    const options = { cookie: { secure: 'auto', sameSite: 'auto' }, logger: recordingLogger() };
    const https = await app(options, { tls: true });
    const http = await app(options);
    const overTls = sessionLine(await new Client(https).get('/set?k=a&v=1')) ?? '';
    assert.match(overTls, /; Secure/);
    assert.match(overTls, /; SameSite=None/);
    const plain = sessionLine(await new Client(http).get('/set?k=a&v=1')) ?? '';
    assert.doesNotMatch(plain, /; Secure/);
    assert.match(plain, /; SameSite=Lax/);
  });

  it("secure: 'auto' also works when cookie options come from a function (express-session ignores it there)", async () => {
    const a = await app({ cookie: () => ({ secure: 'auto' }), logger: recordingLogger() }, { tls: true });
    assert.match(sessionLine(await new Client(a).get('/set?k=a&v=1')) ?? '', /; Secure/);
  });
});

describe('store failures', () => {
  it('a failing store.get: 503 through next(err) (express-session: 500)', async () => {
    const store = counting(new dropIn.MemoryStore());
    const a = await app({ store, logger: recordingLogger() });
    const c = new Client(a);
    await c.get('/set?k=a&v=1');
    store.failNext.add('get');
    const res = await c.get('/read');
    assert.equal(res.status, 503);
    assert.match(res.body, /session store failed \(get\)/);
    assert.doesNotMatch(res.body, /injected/, 'the store error text is not repeated');
  });

  it('a failing store.set at the end of the request: 503, no cookie, the prepared response dropped', async () => {
    const store = counting(new dropIn.MemoryStore());
    const a = await app({ store, logger: recordingLogger() });
    store.failNext.add('set');
    const res = await new Client(a).get('/set?k=a&v=1');
    assert.equal(res.status, 503);
    assert.equal(sessionLine(res), undefined);
    assert.match(res.body, /^error:/);
  });

  it('a failing write after the headers went out (streaming): the connection is cut, not completed', async () => {
    const store = counting(new dropIn.MemoryStore());
    const a = await app({ store, logger: recordingLogger() });
    store.failNext.add('set');
    const res = await fetch(`http://127.0.0.1:${a.port}/stream`);
    assert.equal(res.status, 200, 'the status line was already out');
    await assert.rejects(res.text(), 'the body never completes');
  });

  it('a store that never answers: 503 after storeTimeout instead of a hung request', async () => {
    const store = counting(new dropIn.MemoryStore());
    const a = await app({ store, storeTimeout: 150, logger: recordingLogger() });
    const c = new Client(a);
    await c.get('/set?k=a&v=1');
    store.hang.add('get');
    const started = Date.now();
    const res = await c.get('/read');
    assert.equal(res.status, 503);
    assert.match(res.body, /did not answer within 150 ms/);
    assert.ok(Date.now() - started < 2_000);
    store.hang.clear();
    store.hang.add('set');
    const write = await c.get('/set?k=a&v=2');
    assert.equal(write.status, 503);
  });

  it("a store that emitted 'disconnect': requests with a cookie get 503, anonymous ones still work; 'connect' restores", async () => {
    const store = new dropIn.MemoryStore();
    const a = await app({ store, logger: recordingLogger() });
    const c = new Client(a);
    await c.get('/set?k=a&v=1');
    store.emit('disconnect');
    assert.equal((await c.get('/read')).status, 503);
    assert.equal((await new Client(a).get('/noop')).status, 200);
    store.emit('connect');
    assert.equal((await c.get('/read')).status, 200);
  });

  it('a record without a cookie object is treated as absent (express-session: 500 on every request)', async () => {
    const store = new dropIn.MemoryStore();
    const a = await app({ store, logger: recordingLogger() });
    const c = new Client(a);
    await c.get('/set?k=a&v=1');
    store.sessions[c.id as string] = JSON.stringify({ garbage: true });
    const res = await c.get('/read');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body).data, {});
  });
});

describe('response headers', () => {
  it('Cache-Control: no-store on responses that set (or clear) the cookie, untouched otherwise', async () => {
    const a = await app({ logger: recordingLogger() });
    const c = new Client(a);
    const set = await c.get('/set?k=a&v=1');
    assert.equal(set.headers['cache-control'], 'no-store');
    const read = await c.get('/read');
    assert.equal(read.headers['cache-control'], undefined);
    const cleared = await c.get('/destroy');
    assert.match(sessionLine(cleared) ?? '', /Expires=Thu, 01 Jan 1970/);
    assert.equal(cleared.headers['cache-control'], 'no-store');
  });

  it('the cleared cookie carries the attributes it was set with', async () => {
    const a = await app({ cookie: { path: '/', domain: 'example.test', sameSite: 'strict', maxAge: 60_000 }, logger: recordingLogger() });
    const c = new Client(a);
    await c.get('/set?k=a&v=1');
    const line = sessionLine(await c.get('/destroy')) ?? '';
    assert.match(line, /^connect\.sid=; Domain=example\.test; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
  });
});

describe('one-time warnings for unsafe settings', () => {
  it('resave / saveUninitialized unset, a tutorial secret, the connect.sid name', async () => {
    const logger = recordingLogger();
    dropIn({ secret: 'keyboard cat', logger });
    const text = logger.warnings.join('\n');
    assert.match(text, /resave is not set/);
    assert.match(text, /saveUninitialized is not set/);
    assert.match(text, /secret is weak \(a word or a tutorial placeholder such as 'keyboard cat'\)/);
    assert.match(text, /connect\.sid/);
    assert.doesNotMatch(text, /keyboard cat.*keyboard cat/s, 'the secret itself is never echoed');
  });

  it('a short secret, cookie.httpOnly false', () => {
    const logger = recordingLogger();
    dropIn({ secret: 'Zx81-Qw', resave: false, saveUninitialized: false, name: 'sid', cookie: { httpOnly: false }, logger });
    const text = logger.warnings.join('\n');
    assert.match(text, /7 characters, fewer than 32/);
    assert.match(text, /httpOnly is false/);
    assert.doesNotMatch(text, /Zx81-Qw/);
    assert.doesNotMatch(text, /connect\.sid/);
  });

  it('NODE_ENV=production: MemoryStore and a cookie without secure are reported', () => {
    const logger = recordingLogger();
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      dropIn({ secret: SECRET, resave: false, saveUninitialized: false, name: 'sid', logger });
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
    const text = logger.warnings.join('\n');
    assert.match(text, /MemoryStore with NODE_ENV=production/);
    assert.match(text, /cookie\.secure is not set with NODE_ENV=production/);
  });

  it('a well-configured app gets no warning at all', () => {
    const logger = recordingLogger();
    dropIn({ secret: SECRET, resave: false, saveUninitialized: false, name: 'sid', cookie: { secure: 'auto' }, logger });
    assert.deepEqual(logger.warnings, []);
  });

  it('express-session option errors are the same TypeErrors', () => {
    assert.throws(() => dropIn({ secret: SECRET, genid: 'x' as unknown as () => string }), { name: 'TypeError', message: 'genid option must be a function' });
    assert.throws(() => dropIn({ secret: SECRET, unset: 'nope' as 'keep' }), { message: 'unset option must be "destroy" or "keep"' });
    assert.throws(() => dropIn({ secret: [] }), { message: 'secret option array must contain one or more strings' });
    assert.throws(() => realSession({ secret: [] }), { message: 'secret option array must contain one or more strings' });
    // and a cookie that could never be serialised fails at startup, not on every request
    assert.throws(() => dropIn({ secret: SECRET, cookie: { domain: 'bad domain!' }, logger: recordingLogger() }), /cannot be used in a Set-Cookie header/);
  });
});

describe('the app keeps its own cookies and headers', () => {
  it("the app's Set-Cookie headers are kept next to the session cookie", async () => {
    const x = express();
    x.use(dropIn({ secret: SECRET, resave: false, saveUninitialized: false, logger: recordingLogger() }) as RequestHandler);
    x.get('/', (req, res) => {
      res.cookie('theme', 'dark');
      (req as unknown as { session: Record<string, unknown> }).session.a = 1;
      res.send('ok');
    });
    const server = createServer(x);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    servers.push({ port, tls: false, close: () => new Promise((r) => server.close(() => r())) });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.ok(cookies.some((c) => c.startsWith('theme=dark')));
    assert.ok(cookies.some((c) => c.startsWith('connect.sid=s%3A')));
  });
});

describe('touch throttle', () => {
  it('the per-process touch log is keyed by the SHA-256 of the session ID, never the ID', () => {
    const id = 'k3uXyZ-some-session-id';
    const key = touchKey(id);
    assert.equal(key, createHash('sha256').update(id).digest('base64'));
    assert.ok(!key.includes(id));
    const log = new TouchLog(2);
    log.set(key, 1);
    log.set(touchKey('b'), 2);
    log.set(touchKey('c'), 3);
    assert.equal(log.get(key), undefined, 'bounded: the oldest entry went first');
    assert.equal(log.get(touchKey('c')), 3);
  });
});
