/** Koa 3: the shared behaviour suite plus Koa-specific checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Koa, { type Middleware } from 'koa';
import { session } from '../../src/adapters/koa/index.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Session } from '../../src/core/session-types.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { call, cookieHeader, json } from '../behaviour/client.ts';
import type { RunningApp } from '../behaviour/fixture.ts';
import { errors, koaFixture, routes } from '../behaviour/fixtures/koa.ts';
import { SECRET, onlyCookie } from '../behaviour/harness.ts';
import { listen } from '../behaviour/listen.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';
import { CountingStore } from '../support/counting-store.ts';

runBehaviourSuite(koaFixture);

interface Built {
  app: RunningApp;
  store: CountingStore;
  warnings: string[];
  ips: Array<string | undefined>;
}

interface BuildOptions {
  setup?: (app: Koa) => void;
  session?: Record<string, unknown>;
  /** Mount the fixture's try/catch error middleware (default true); without it Koa's own onerror answers. */
  catchErrors?: boolean;
}

async function build(options: BuildOptions = {}): Promise<Built> {
  const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
  const warnings: string[] = [];
  const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => void (!('event' in obj) && warnings.push(msg ?? '')) };
  const app = new Koa();
  app.silent = true;
  options.setup?.(app);
  const mw = session({ secrets: SECRET, store, logger, production: false, storeTimeout: 200, ...options.session });
  if (options.catchErrors !== false) app.use(errors);
  app.use(mw);
  const extra: Middleware = async (ctx, next) => {
    if (ctx.path === '/own-cookie') {
      ctx.cookies.set('theme', 'dark', { httpOnly: false });
      (ctx.session as Session<Record<string, unknown>>).theme = 'dark';
      ctx.body = 'ok';
      return;
    }
    if (ctx.path === '/throws') {
      (ctx.session as Session<Record<string, unknown>>).before = 'error';
      ctx.throw(418, 'teapot');
    }
    if (ctx.path === '/typed') {
      // Typed access, checked by tsc: ctx.session is a Session without casts.
      const userId: string | null = ctx.session.userId;
      // @ts-expect-error userId is managed by login(), not assignable
      if (userId === 'never') ctx.session.userId = 'x';
      ctx.body = { userId, isNew: ctx.session.isNew };
      return;
    }
    await next();
  };
  app.use(extra);
  app.use(routes);
  const server = await listen(app.callback());
  const ips: Array<string | undefined> = [];
  mw.sessions.on('created', (e) => ips.push(e.ip));
  return { app: { port: server.port, tls: false, engine: mw.sessions, close: server.close }, store, warnings, ips };
}

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1, 203.0.113.9' };

describe('koa 3: Koa specifics', () => {
  it('honours app.proxy when trustProxy is not given: Secure cookie, client IP from X-Forwarded-For', async () => {
    const b = await build({ setup: (app) => void (app.proxy = true), session: { production: true } });
    try {
      const cookie = onlyCookie(await call(b.app, '/set?key=a&value=1', { headers: forwarded }));
      assert.equal(cookie.name, '__Host-sid');
      assert.equal(cookie.attrs.secure, true);
      assert.deepEqual(b.ips, ['198.51.100.1'], 'app.proxy without maxIpsCount trusts every hop, like Koa');
      assert.deepEqual(b.warnings, []);
    } finally {
      await b.app.close();
    }
  });

  it('app.maxIpsCount limits the trusted hops, as Koa reads ctx.ip', async () => {
    const b = await build({ setup: (app) => Object.assign(app, { proxy: true, maxIpsCount: 1 }), session: { production: true } });
    try {
      const cookie = onlyCookie(await call(b.app, '/set?key=a&value=1', { headers: forwarded }));
      assert.equal(cookie.attrs.secure, true);
      assert.deepEqual(b.ips, ['203.0.113.9']);
    } finally {
      await b.app.close();
    }
  });

  it('app.proxy read per request (set after the middleware was created)', async () => {
    let koa: Koa | undefined;
    const b = await build({ setup: (app) => void (koa = app), session: { production: true } });
    try {
      assert.equal((await call(b.app, '/set?key=a&value=1', { headers: forwarded })).cookies.length, 0);
      (koa as Koa).proxy = true;
      assert.equal(onlyCookie(await call(b.app, '/set?key=a&value=1', { headers: forwarded })).attrs.secure, true);
    } finally {
      await b.app.close();
    }
  });

  it('without app.proxy the forwarded headers do not count, and the warning names the fix', async () => {
    const b = await build({ session: { production: true } });
    try {
      const reply = await call(b.app, '/set?key=a&value=1', { headers: forwarded });
      assert.equal(reply.cookies.length, 0);
      assert.equal(b.warnings.length, 1);
      assert.match(b.warnings[0] as string, /trustProxy: 1/);
    } finally {
      await b.app.close();
    }
  });

  it("holdfast's own trustProxy wins over app.proxy", async () => {
    const b = await build({ setup: (app) => void (app.proxy = true), session: { production: true, trustProxy: false } });
    try {
      assert.equal((await call(b.app, '/set?key=a&value=1', { headers: forwarded })).cookies.length, 0);
    } finally {
      await b.app.close();
    }
  });

  it("a store failure reaches Koa's own error handling as status 503 (no error middleware)", async () => {
    const b = await build({ catchErrors: false });
    try {
      const cookie = onlyCookie(await call(b.app, '/set?key=a&value=1'));
      b.store.failure = 'reject';
      const read = await call(b.app, '/read', { cookie: cookieHeader(cookie) });
      assert.equal(read.status, 503);
      const write = await call(b.app, '/set?key=b&value=2');
      assert.equal(write.status, 503);
      assert.equal(write.cookies.length, 0);
      assert.doesNotMatch(write.body, /store/i, 'no internal detail exposed');
    } finally {
      await b.app.close();
    }
  });

  it("the app's own Set-Cookie stays next to the session cookie; ctx.session is typed", async () => {
    const b = await build();
    try {
      const reply = await call(b.app, '/own-cookie');
      assert.deepEqual(reply.cookies.map((c) => c.name).sort(), ['sid', 'theme']);
      assert.equal(reply.headers['cache-control'], 'no-store');
      const typed = await call(b.app, '/typed', { cookie: cookieHeader(onlyCookie({ ...reply, cookies: reply.cookies.filter((c) => c.name === 'sid') })) });
      assert.deepEqual(json(typed), { userId: null, isNew: false });
    } finally {
      await b.app.close();
    }
  });

  it('a streamed body: Set-Cookie with its headers, data persisted; a failing store is a clean 503 before any byte', async () => {
    const b = await build();
    try {
      const reply = await call(b.app, '/stream');
      assert.equal(reply.body, 'chunk1chunk2');
      const cookie = onlyCookie(reply);
      assert.deepEqual(json(await call(b.app, '/read', { cookie: cookieHeader(cookie) })).data, { s: 'streamed' });
      b.store.failure = 'reject';
      const failed = await call(b.app, '/stream');
      assert.equal(failed.status, 503);
      assert.equal(failed.body, 'error');
      assert.equal(failed.cookies.length, 0);
    } finally {
      await b.app.close();
    }
  });

  it('a downstream throw commits nothing (Koa drops the headers of an error response anyway)', async () => {
    const b = await build();
    try {
      const reply = await call(b.app, '/throws');
      assert.equal(reply.status, 418);
      assert.equal(reply.cookies.length, 0);
      assert.equal(b.store.writes, 0);
    } finally {
      await b.app.close();
    }
  });

  it('mounted twice: one session, one commit', async () => {
    const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
    const mw = session({ secrets: SECRET, store, production: false });
    const app = new Koa();
    app.use(errors).use(mw).use(mw).use(routes);
    const server = await listen(app.callback());
    try {
      const running: RunningApp = { port: server.port, tls: false, engine: mw.sessions, close: server.close };
      const cookie = onlyCookie(await call(running, '/set?key=a&value=1'));
      assert.deepEqual(json(await call(running, '/read', { cookie: cookieHeader(cookie) })).data, { a: '1' });
      assert.equal(store.calls.set, 1);
      assert.equal(store.calls.get, 1);
    } finally {
      await server.close();
    }
  });

  it('lazy ctx.session: untouched anonymous requests build nothing; assignment shadows; absent before the middleware', async () => {
    const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
    const mw = session({ secrets: SECRET, store, production: false });
    const app = new Koa();
    const seen: unknown[] = [];
    app.use(async (ctx, next) => {
      seen.push(ctx.session);
      await next();
    });
    app.use(mw);
    app.use(async (ctx, next) => {
      if (ctx.path === '/replace') {
        (ctx as { session: unknown }).session = { replaced: true };
        ctx.body = ctx.session;
        return;
      }
      if (ctx.path === '/untouched') {
        ctx.body = 'hi';
        return;
      }
      await next();
    });
    app.use(routes);
    const server = await listen(app.callback());
    try {
      const running: RunningApp = { port: server.port, tls: false, engine: mw.sessions, close: server.close };
      const untouched = await call(running, '/untouched');
      assert.equal(untouched.body, 'hi');
      assert.equal(untouched.cookies.length, 0);
      assert.equal(untouched.headers['cache-control'], undefined);
      const replaced = await call(running, '/replace');
      assert.deepEqual(json(replaced), { replaced: true });
      assert.equal(replaced.cookies.length, 0);
      assert.equal(store.calls.set, 0);
      assert.equal(store.calls.get, 0);
      // A touched session still commits, on the same context prototype.
      const cookie = onlyCookie(await call(running, '/set?key=a&value=1'));
      assert.deepEqual(json(await call(running, '/read', { cookie: cookieHeader(cookie) })).data, { a: '1' });
      assert.deepEqual(seen, [undefined, undefined, undefined, undefined], 'ctx.session is undefined before the middleware runs');
    } finally {
      await server.close();
    }
  });

  it('invalid options throw a ConfigError when the middleware is created', () => {
    assert.throws(() => session({ secrets: SECRET, store: new MemoryStore(), absoluteTimeout: '1m', idleTimeout: '1h' }), ConfigError);
  });
});
