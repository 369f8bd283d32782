/**
 * No raw session ID, store key or cookie value reaches any log: real HTTP through the Express
 * adapter and MemoryStore, pino (with holdfast's redact list and serializers) writing to memory
 * as the engine's logger and as a request logger that logs raw req/res, and a morgan-style
 * access log with `:session`, `:req[cookie]` and `:res[set-cookie]`. Every line is collected
 * across anonymous use, login, regenerate, a forged cookie, a stale cookie, logout and expiry.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import express from 'express';
import pino from 'pino';
import { session, type RequestWithSession } from '../../src/adapters/express/index.ts';
import { handleOf, storeKeyOf } from '../../src/core/ids.ts';
import { pinoOptions, registerMorganTokens, sessionProps } from '../../src/logging/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { TestClock } from '../support/clock.ts';
import { fakeMorgan } from '../support/fake-morgan.ts';
import { send, type TestResponse } from '../support/http-client.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    done();
  },
});
const clock = new TestClock();
let server: Server;
let port = 0;

before(async () => {
  const log = pino({ ...pinoOptions(), level: 'info' }, sink);
  const morgan = registerMorganTokens(fakeMorgan());
  const app = express();
  app.use(morgan(':method :url :status session=:session cookie=:req[cookie] set=:res[set-cookie] auth=:req[authorization]', { stream: sink }));
  // A pino-http-like request logger that logs the raw objects (the worst case the serializers meet).
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    res.on('finish', () => log.info({ req, res, ...sessionProps(req) }, 'request completed'));
    next();
  });
  app.use(session({ secrets: SECRET, store: new MemoryStore({ sweepInterval: 0 }), logger: log.child({ appid: 'holdfast.test' }), clock: clock.now, production: false }));
  const handler = (work: (s: RequestWithSession['session']) => Promise<void> | void) => async (req: IncomingMessage, res: ServerResponse) => {
    const s = (req as RequestWithSession).session;
    await work(s);
    log.info({ session: s }, 'handler done');
    res.end(String(s.userId));
  };
  app.post('/cart', handler((s) => void ((s as unknown as Record<string, unknown>)['cart'] = ['apple'])));
  app.post('/login', handler((s) => s.login('alice')));
  app.post('/regenerate', handler((s) => s.regenerate()));
  app.post('/logout', handler((s) => s.logout()));
  app.get('/me', handler(() => undefined));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
});

after(() => new Promise((resolve) => server.close(resolve)));

interface Issued {
  value: string;
  id: string;
  mac: string;
  key: string;
}

const issued: Issued[] = [];

/** The session cookie a response set, recorded with everything that must stay out of logs. */
function take(res: TestResponse): string {
  const line = res.setCookies.find((c) => c.startsWith('sid=') && !c.startsWith('sid=;'));
  assert.ok(line !== undefined, `expected a session cookie, got ${JSON.stringify(res.setCookies)}`);
  const value = line.slice(4, line.indexOf(';'));
  const [id = '', mac = ''] = value.split('.');
  assert.equal(id.length, 43);
  issued.push({ value, id, mac, key: storeKeyOf(id) });
  return `sid=${value}`;
}

function call(method: string, path: string, cookie?: string): Promise<TestResponse> {
  return send({ port, method, path, headers: cookie === undefined ? {} : { cookie: `theme=dark; ${cookie}`, authorization: 'Bearer not-a-real-token' } });
}

test('login, regenerate, forged and stale cookies, logout and expiry log handles and OWASP names, never an ID, key or cookie value', async () => {
  const anon = take(await call('POST', '/cart'));
  const alice = take(await call('POST', '/login', anon));
  assert.equal((await call('GET', '/me', alice)).body, 'alice');
  const renewed = take(await call('POST', '/regenerate', alice));
  const forged = `${renewed.slice(0, -3)}abc`;
  assert.equal((await call('GET', '/me', forged)).body, 'null');
  assert.equal((await call('GET', '/me', alice)).body, 'null'); // the pre-regenerate cookie: its record is gone
  const out = await call('POST', '/logout', renewed);
  assert.ok(out.setCookies.some((c) => c.startsWith('sid=;')), 'logout clears the cookie');
  const again = take(await call('POST', '/login', anon.replace(/.$/, '')));
  clock.advance('31m');
  assert.equal((await call('GET', '/me', again)).body, 'null');

  assert.ok(lines.length >= 20, `collected ${lines.length} lines`);
  const text = lines.join('\n');
  for (const secret of issued) {
    for (const [what, value] of [['cookie value', secret.value], ['raw ID', secret.id], ['MAC', secret.mac], ['store key', secret.key]] as const) {
      const leak = lines.find((l) => l.includes(value));
      assert.equal(leak, undefined, `a log line carries a ${what}: ${leak}`);
    }
  }
  assert.ok(!text.includes('not-a-real-token'), 'the Authorization header is redacted');

  // The lines are there and say something: OWASP names, handles, redaction marks.
  for (const name of ['session_created', 'authn_login_success:alice', 'session_renewed:alice', 'authz_fail:,session', 'session_use_after_expire', 'session_expired:alice,logout', 'session_expired:alice,idle']) {
    assert.ok(lines.some((l) => JSON.parse(l.startsWith('{') ? l : '{}').event === name), `no "${name}" line`);
  }
  const aliceHandle = handleOf(issued[1]!.key);
  assert.ok(lines.some((l) => !l.startsWith('{') && l.includes(`session=${aliceHandle}`)), 'the morgan line names the session by handle');
  assert.ok(lines.some((l) => l.startsWith('{') && JSON.parse(l).session === aliceHandle && JSON.parse(l).msg === 'request completed'), 'customProps adds the handle');
  assert.ok(lines.some((l) => l.startsWith('{') && JSON.parse(l).session?.handle === aliceHandle), 'the session serializer logs the handle');
  assert.ok(lines.some((l) => l.includes('cookie=[Redacted]') && l.includes('set=[Redacted]')), 'morgan header tokens are guarded');
  assert.ok(lines.some((l) => l.includes('"cookie":"[Redacted]"')), 'pino scrubs logged request headers');
  assert.ok(lines.some((l) => l.includes('"appid":"holdfast.test"')), 'a child logger adds appid to engine lines');
});
