/** holdfast/web (Request/Response): the shared behaviour suite plus web-specific checks. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createWebSessions, type WebSessionOptions } from '../../src/adapters/web/index.ts';
import { pathOf } from '../../src/adapters/web/request-view.ts';
import { ConfigError, StoreError } from '../../src/core/errors.ts';
import type { TrustFn } from '../../src/core/trust-proxy.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { parseSetCookie, type SetCookie } from '../behaviour/client.ts';
import { webFixture } from '../behaviour/fixtures/web.ts';
import { SECRET } from '../behaviour/harness.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';
import { createApp } from '../../examples/web-fetch/app.ts';
import { CountingStore } from '../support/counting-store.ts';

runBehaviourSuite(webFixture);

type Data = Record<string, unknown>;

function setup(options: Partial<WebSessionOptions> = {}) {
  const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
  const warnings: string[] = [];
  const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => void (!('event' in obj) && warnings.push(msg ?? '')) };
  const sessions = createWebSessions({ secrets: SECRET, store, logger, production: false, storeTimeout: 200, ...options });
  const ips: Array<string | undefined> = [];
  sessions.engine.on('created', (e) => ips.push(e.ip));
  return { sessions, store, warnings, ips };
}

function cookiesOf(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map(parseSetCookie);
}

function only(response: Response): SetCookie {
  const cookies = cookiesOf(response);
  assert.equal(cookies.length, 1, JSON.stringify(cookies.map((c) => c.raw)));
  return cookies[0] as SetCookie;
}

const trustLoopback: TrustFn = (addr) => addr === '127.0.0.1';

describe('web: Request/Response specifics', () => {
  it('commit on a Response with immutable headers (Response.redirect) returns a copy carrying the cookie', async () => {
    const { sessions } = setup();
    const web = await sessions.load<Data>(new Request('http://localhost/login', { method: 'POST' }));
    await web.session.login('alice');
    const original = Response.redirect('http://localhost/home', 303);
    assert.throws(() => original.headers.set('x', 'y'), TypeError, 'precondition: the headers are immutable');
    const committed = await web.commit(original);
    assert.notEqual(committed, original);
    assert.equal(committed.status, 303);
    assert.equal(committed.headers.get('location'), 'http://localhost/home');
    assert.equal(only(committed).name, 'sid');
    assert.equal(committed.headers.get('cache-control'), 'no-store');
  });

  it('commit on a fetch() Response (immutable headers) keeps status, headers and body', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('set-cookie', 'upstream=1; Path=/');
      res.setHeader('x-upstream', 'yes');
      res.statusCode = 201;
      res.end('proxied body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const upstream = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const { sessions } = setup();
      const web = await sessions.load<Data>(new Request('http://localhost/proxy'));
      web.session.seen = true;
      const committed = await web.commit(upstream);
      assert.equal(committed.status, 201);
      assert.equal(committed.headers.get('x-upstream'), 'yes');
      assert.deepEqual(cookiesOf(committed).map((c) => c.name), ['upstream', 'sid']);
      assert.equal(await committed.text(), 'proxied body');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('a mutable Response is changed in place; nothing to send leaves it untouched', async () => {
    const { sessions, store } = setup();
    const web = await sessions.load<Data>(new Request('http://localhost/set'));
    web.session.a = 1;
    const response = new Response('ok', { headers: { 'set-cookie': 'theme=dark', 'cache-control': 'private, no-store, max-age=0' } });
    const committed = await web.commit(response);
    assert.equal(committed, response);
    assert.deepEqual(cookiesOf(committed).map((c) => c.name), ['theme', 'sid']);
    assert.equal(committed.headers.get('cache-control'), 'private, no-store, max-age=0', 'a stricter app value stays');

    const anon = await sessions.load<Data>(new Request('http://localhost/anon'));
    const plain = new Response('ok');
    assert.equal(await anon.commit(plain), plain);
    assert.equal(plain.headers.getSetCookie().length, 0);
    assert.equal(plain.headers.get('cache-control'), null);
    assert.equal(store.calls.get, 0);
  });

  it('commit twice: the second is a no-op', async () => {
    const { sessions, store } = setup();
    const web = await sessions.load<Data>(new Request('http://localhost/set'));
    web.session.a = 1;
    assert.equal(only(await web.commit(new Response('ok'))).name, 'sid');
    const again = await web.commit(new Response('ok'));
    assert.equal(again.headers.getSetCookie().length, 0);
    assert.equal(store.calls.set, 1);
  });

  it('a streamed Response body passes through commit intact', async () => {
    const { sessions } = setup();
    const web = await sessions.load<Data>(new Request('http://localhost/stream'));
    web.session.s = 'streamed';
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk1'));
        setTimeout(() => {
          controller.enqueue(new TextEncoder().encode('chunk2'));
          controller.close();
        }, 10);
      },
    });
    const committed = await web.commit(new Response(body));
    assert.equal(only(committed).name, 'sid');
    assert.equal(await committed.text(), 'chunk1chunk2');
  });

  it('transport: https URL counts only with trustRequestUrl; info.encrypted is believed; remoteAddress reaches events', async () => {
    const url = 'https://example.com/set';
    const untrusted = setup({ production: true });
    const a = await untrusted.sessions.load<Data>(new Request(url));
    a.session.a = 1;
    assert.equal((await a.commit(new Response('ok'))).headers.getSetCookie().length, 0);
    assert.equal(untrusted.warnings.length, 1);

    const trusted = setup({ production: true, trustRequestUrl: true });
    const b = await trusted.sessions.load<Data>(new Request(url));
    b.session.a = 1;
    const cookie = only(await b.commit(new Response('ok')));
    assert.equal(cookie.name, '__Host-sid');
    assert.equal(cookie.attrs.secure, true);
    const back = await trusted.sessions.load<Data>(new Request(url, { headers: { cookie: `${cookie.name}=${cookie.value}` } }));
    assert.equal(back.session.a, 1);

    const socket = setup({ production: true });
    const c = await socket.sessions.load<Data>(new Request('http://internal/set'), { encrypted: true, remoteAddress: '192.0.2.7' });
    c.session.a = 1;
    assert.equal(only(await c.commit(new Response('ok'))).attrs.secure, true);
    assert.deepEqual(socket.ips, ['192.0.2.7']);
  });

  it("info.trust (the host framework's proxy trust) is used when trustProxy is not set, and ignored when it is", async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    const framework = setup({ production: true });
    const a = await framework.sessions.load<Data>(new Request('http://localhost/set', { headers }), { remoteAddress: '127.0.0.1', trust: trustLoopback });
    a.session.a = 1;
    assert.equal(only(await a.commit(new Response('ok'))).attrs.secure, true);
    assert.deepEqual(framework.ips, ['203.0.113.9']);

    const own = setup({ production: true, trustProxy: false });
    const b = await own.sessions.load<Data>(new Request('http://localhost/set', { headers }), { remoteAddress: '127.0.0.1', trust: trustLoopback });
    b.session.a = 1;
    assert.equal((await b.commit(new Response('ok'))).headers.getSetCookie().length, 0);
  });

  it('store failures: load and commit reject with a StoreError (status 503)', async () => {
    const { sessions, store } = setup();
    const first = await sessions.load<Data>(new Request('http://localhost/set'));
    first.session.a = 1;
    const cookie = only(await first.commit(new Response('ok')));
    store.failure = 'reject';
    const request = new Request('http://localhost/read', { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    await assert.rejects(sessions.load(request), (error: unknown) => error instanceof StoreError && error.status === 503);
    const fresh = await sessions.load<Data>(new Request('http://localhost/set'));
    fresh.session.b = 2;
    await assert.rejects(fresh.commit(new Response('ok')), StoreError);
  });

  it('options: trustRequestUrl must be a boolean; unknown options are refused', () => {
    assert.throws(() => createWebSessions({ secrets: SECRET, store: new MemoryStore(), trustRequestUrl: 1 as unknown as boolean }), ConfigError);
    assert.throws(() => createWebSessions({ secrets: SECRET, store: new MemoryStore(), trustUrl: true } as never), /unknown option "trustUrl"/);
  });

  it('pathOf: the path of an absolute URL, without query or fragment', () => {
    assert.equal(pathOf('https://example.com/a/b?x=1#y'), '/a/b');
    assert.equal(pathOf('http://example.com'), '/');
    assert.equal(pathOf('http://example.com?x=/y'), '/');
    assert.equal(pathOf('http://[::1]:8080/p#frag'), '/p');
    assert.equal(pathOf('not a url'), undefined);
  });

  it('the example app (examples/web-fetch): visit, sign in through an immutable redirect, sign out', async () => {
    const app = createApp({ secrets: SECRET, store: new MemoryStore(), production: false });
    const first = await app.fetch(new Request('http://localhost/'));
    assert.match(await first.text(), /nobody; 1 visit/);
    const anon = only(first);
    const login = await app.fetch(new Request('http://localhost/login?user=bob', { method: 'POST', headers: { cookie: `${anon.name}=${anon.value}` } }));
    assert.equal(login.status, 303);
    const signedIn = only(login);
    assert.notEqual(signedIn.value, anon.value, 'login changed the ID');
    const home = await app.fetch(new Request('http://localhost/', { headers: { cookie: `${signedIn.name}=${signedIn.value}` } }));
    assert.match(await home.text(), /Signed in as bob; 2 visit/);
    const logout = await app.fetch(new Request('http://localhost/logout', { method: 'POST', headers: { cookie: `${signedIn.name}=${signedIn.value}` } }));
    assert.equal(only(logout).attrs['max-age'], '0');
    await app.close();
  });
});
