/** Hono 4 on @hono/node-server: the shared behaviour suite plus Hono-specific checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { session, type SessionVariables } from '../../src/adapters/hono/index.ts';
import { ConfigError, StoreError } from '../../src/core/errors.ts';
import type { Session } from '../../src/core/session-types.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { call, cookieHeader, parseSetCookie, type SetCookie } from '../behaviour/client.ts';
import { addRoutes, honoFixture, type AppEnv } from '../behaviour/fixtures/hono.ts';
import { SECRET } from '../behaviour/harness.ts';
import { listen } from '../behaviour/listen.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';
import { CountingStore } from '../support/counting-store.ts';

runBehaviourSuite(honoFixture);

function logger(warnings: string[]) {
  return { info() {}, error() {}, warn: (obj: object, msg?: string) => void (!('event' in obj) && warnings.push(msg ?? '')) };
}

/** An app served without node (app.fetch called directly, as Bun, Deno or a worker would). */
function fetchOnly(session_: Record<string, unknown> = {}) {
  const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
  const warnings: string[] = [];
  const app = new Hono<AppEnv>();
  const mw = session<Record<string, unknown>>({ secrets: SECRET, store, logger: logger(warnings), production: false, ...session_ });
  app.use(mw);
  addRoutes(app);
  const ips: Array<string | undefined> = [];
  mw.sessions.on('created', (e) => ips.push(e.ip));
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await app.fetch(new Request(url, { headers }));
    return { status: response.status, cookies: response.headers.getSetCookie().map(parseSetCookie), body: await response.text() };
  };
  return { app, store, warnings, ips, get };
}

function only(cookies: SetCookie[]): SetCookie {
  assert.equal(cookies.length, 1, JSON.stringify(cookies.map((c) => c.raw)));
  return cookies[0] as SetCookie;
}

describe('hono 4: Hono specifics', () => {
  it('typed context: c.get("session") is a Session of the declared data, without casts', async () => {
    type Cart = { cart: string[] };
    const app = new Hono<{ Variables: SessionVariables<Cart> }>();
    app.use(session<Cart>({ secrets: SECRET, store: new MemoryStore(), production: false }));
    app.get('/add', (c) => {
      const s: Session<Cart> = c.get('session');
      (s.cart ??= []).push('apple');
      // @ts-expect-error the data type has no "wishlist"
      void s.wishlist;
      // @ts-expect-error userId is managed by login(), not assignable
      if (s.userId === 'never') s.userId = 'x';
      return c.json({ cart: c.var.session.cart ?? [], userId: s.userId });
    });
    const response = await app.fetch(new Request('http://localhost/add'));
    assert.deepEqual(await response.json(), { cart: ['apple'], userId: null });
    assert.equal(response.headers.getSetCookie().length, 1);
  });

  it('on @hono/node-server the socket gives the client address and TLS', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const app = new Hono<AppEnv>();
    const mw = session<Record<string, unknown>>({ secrets: SECRET, store, production: false, trustProxy: 'loopback' });
    app.use(mw);
    addRoutes(app);
    const ips: Array<string | undefined> = [];
    mw.sessions.on('created', (e) => ips.push(e.ip));
    const server = await listen(getRequestListener(app.fetch));
    try {
      const running = { port: server.port, tls: false, engine: mw.sessions, close: server.close };
      await call(running, '/set?key=a&value=1');
      await call(running, '/set?key=a&value=1', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
      assert.deepEqual(ips, ['127.0.0.1', '203.0.113.9']);
    } finally {
      await server.close();
    }
  });

  it('without node: an https Request URL is not proof of TLS unless trustRequestUrl is set', async () => {
    const dev = fetchOnly();
    const plain = await dev.get('https://example.com/set?key=a&value=1');
    assert.equal(only(plain.cookies).name, 'sid');
    assert.deepEqual(dev.ips, [undefined], 'no socket, no client address');

    const prod = fetchOnly({ production: true });
    assert.equal((await prod.get('https://example.com/set?key=a&value=1')).cookies.length, 0);
    assert.equal(prod.warnings.length, 1);

    const trusted = fetchOnly({ production: true, trustRequestUrl: true });
    const reply = await trusted.get('https://example.com/set?key=a&value=1');
    const cookie = only(reply.cookies);
    assert.equal(cookie.name, '__Host-sid');
    assert.equal(cookie.attrs.secure, true);
    const read = await trusted.get('https://example.com/read', { cookie: cookieHeader(cookie) });
    assert.deepEqual(JSON.parse(read.body).data, { a: '1' });
    assert.equal((await trusted.get('http://example.com/set?key=a&value=1')).cookies.length, 0, 'an http URL stays plain');
  });

  it('without node: a trusted proxy by hop count works (no peer address to match)', async () => {
    const t = fetchOnly({ production: true, trustProxy: 1 });
    const reply = await t.get('http://example.com/set?key=a&value=1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
    assert.equal(reply.cookies[0]?.attrs.secure, true);
    assert.deepEqual(t.ips, ['203.0.113.9']);
  });

  it('trustRequestUrl must be a boolean; unknown options are refused', () => {
    assert.throws(() => session({ secrets: SECRET, store: new MemoryStore(), trustRequestUrl: 'yes' as unknown as boolean }), ConfigError);
    assert.throws(() => session({ secrets: SECRET, store: new MemoryStore(), trustRequestURL: true } as never), /unknown option "trustRequestURL"/);
  });

  it("a store failure without app.onError is a 503 from Hono's default handler; with onError it sees the StoreError", async () => {
    const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
    const bare = new Hono<AppEnv>();
    bare.use(session<Record<string, unknown>>({ secrets: SECRET, store, production: false, storeTimeout: 200 }));
    addRoutes(bare);
    const first = await bare.fetch(new Request('http://localhost/set?key=a&value=1'));
    const cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    store.failure = 'reject';
    const originalError = console.error;
    console.error = () => undefined;
    try {
      const load = await bare.fetch(new Request('http://localhost/read', { headers: { cookie } }));
      assert.equal(load.status, 503);
      const commit = await bare.fetch(new Request('http://localhost/set?key=b&value=2'));
      assert.equal(commit.status, 503);
      assert.equal(commit.headers.getSetCookie().length, 0);
    } finally {
      console.error = originalError;
    }

    const seen: unknown[] = [];
    const withHandler = new Hono<AppEnv>();
    withHandler.use(session<Record<string, unknown>>({ secrets: SECRET, store, production: false, storeTimeout: 200 }));
    addRoutes(withHandler);
    withHandler.onError((error, c) => {
      seen.push(error);
      return c.text('handled', 503);
    });
    const handled = await withHandler.fetch(new Request('http://localhost/set?key=b&value=2'));
    assert.equal(handled.status, 503);
    assert.ok(seen[0] instanceof StoreError);
  });

  it("the app's own Set-Cookie stays; a handler's immutable Response (Response.redirect) still gets the cookie", async () => {
    const app = new Hono<AppEnv>();
    app.use(session<Record<string, unknown>>({ secrets: SECRET, store: new MemoryStore(), production: false }));
    app.get('/own', (c) => {
      setCookie(c, 'theme', 'dark');
      c.get('session').theme = 'dark';
      return c.text('ok');
    });
    app.post('/go', async (c) => {
      await c.get('session').login('alice');
      return Response.redirect('http://localhost/home', 303);
    });
    const own = await app.fetch(new Request('http://localhost/own'));
    assert.deepEqual(own.headers.getSetCookie().map((c) => c.split('=')[0]).sort(), ['sid', 'theme']);
    assert.equal(own.headers.get('cache-control'), 'no-store');
    const go = await app.fetch(new Request('http://localhost/go', { method: 'POST' }));
    assert.equal(go.status, 303);
    assert.equal(go.headers.get('location'), 'http://localhost/home');
    assert.equal(go.headers.getSetCookie().length, 1);
    assert.equal(go.headers.get('cache-control'), 'no-store');
  });

  it('a streamed body: Set-Cookie with its headers, data persisted; a failing store is a clean 503', async () => {
    const t = fetchOnly({ storeTimeout: 200 });
    const reply = await t.get('http://localhost/stream');
    assert.equal(reply.body, 'chunk1chunk2');
    const cookie = only(reply.cookies);
    assert.deepEqual(JSON.parse((await t.get('http://localhost/read', { cookie: cookieHeader(cookie) })).body).data, { s: 'streamed' });
    t.store.failure = 'reject';
    const originalError = console.error;
    console.error = () => undefined;
    try {
      const failed = await t.get('http://localhost/stream');
      assert.equal(failed.status, 503);
      assert.equal(failed.cookies.length, 0);
    } finally {
      console.error = originalError;
    }
  });

  it('mounted twice (overlapping app.use): one session, one commit', async () => {
    const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
    const mw = session<Record<string, unknown>>({ secrets: SECRET, store, production: false });
    const app = new Hono<AppEnv>();
    app.use(mw);
    app.use('/set', mw);
    addRoutes(app);
    const first = await app.fetch(new Request('http://localhost/set?key=a&value=1'));
    assert.equal(first.headers.getSetCookie().length, 1);
    assert.equal(store.calls.set, 1);
  });

  it('app errors go through onError and what the handler did before is committed', async () => {
    const app = new Hono<AppEnv>();
    app.use(session<Record<string, unknown>>({ secrets: SECRET, store: new MemoryStore(), production: false }));
    addRoutes(app);
    app.get('/throws', (c) => {
      c.get('session').before = 'error';
      throw new Error('boom');
    });
    app.onError((_error, c) => c.text('error', 500));
    const reply = await app.fetch(new Request('http://localhost/throws'));
    assert.equal(reply.status, 500);
    const cookie = reply.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const read = await app.fetch(new Request('http://localhost/read', { headers: { cookie } }));
    assert.deepEqual(((await read.json()) as { data: unknown }).data, { before: 'error' });
  });
});
