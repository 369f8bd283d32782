/** Fastify 5: the shared behaviour suite plus Fastify-specific checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import holdfast, { type FastifySessionOptions } from '../../src/adapters/fastify/index.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Session } from '../../src/core/session-types.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { call, cookieHeader, json } from '../behaviour/client.ts';
import { addRoutes, fastifyFixture } from '../behaviour/fixtures/fastify.ts';
import type { RunningApp } from '../behaviour/fixture.ts';
import { SECRET, onlyCookie } from '../behaviour/harness.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';
import { CountingStore } from '../support/counting-store.ts';

runBehaviourSuite(fastifyFixture);

interface Built {
  app: FastifyInstance;
  store: CountingStore;
  warnings: string[];
  ips: Array<string | undefined>;
  running: RunningApp;
}

async function build(
  fastifyOptions: FastifyServerOptions,
  session: Record<string, unknown> = {},
  register?: (app: FastifyInstance, options: Record<string, unknown>) => Promise<void>,
): Promise<Built> {
  const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
  const warnings: string[] = [];
  const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => void (!('event' in obj) && warnings.push(msg ?? '')) };
  const app = Fastify({ forceCloseConnections: true, ...fastifyOptions });
  const options = { secrets: SECRET, store, logger, production: false, storeTimeout: 200, ...session };
  if (register === undefined) await app.register(holdfast, options as unknown as FastifySessionOptions);
  else await register(app, options);
  app.setErrorHandler((error: { status?: number; statusCode?: number }, _request, reply) => {
    void reply.code(error.status ?? error.statusCode ?? 500).type('text/plain').send('error');
  });
  addRoutes(app);
  app.get('/own-cookie', (request, reply) => {
    (request.session as Session<Record<string, unknown>>).theme = 'dark';
    return reply.header('set-cookie', 'theme=dark; Path=/').type('text/plain').send('ok');
  });
  app.get('/throws', (request) => {
    (request.session as Session<Record<string, unknown>>).before = 'error';
    throw Object.assign(new Error('boom'), { statusCode: 418 });
  });
  // Typed access, checked by tsc: request.session is a Session without casts.
  app.get('/typed', async (request) => {
    const userId: string | null = request.session.userId;
    // @ts-expect-error userId is managed by login(), not assignable
    if (userId === 'never') request.session.userId = 'x';
    return { userId, isNew: request.session.isNew };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const ips: Array<string | undefined> = [];
  app.sessions.on('created', (e) => ips.push(e.ip));
  const running: RunningApp = { port, tls: false, engine: app.sessions, close: () => app.close() };
  return { app, store, warnings, ips, running };
}

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };

describe('fastify 5: Fastify specifics', () => {
  it("honours Fastify's own trustProxy (addresses) when holdfast's is not given: Secure cookie, client IP", async () => {
    const b = await build({ trustProxy: 'loopback' }, { production: true });
    try {
      const reply = await call(b.running, '/set?key=a&value=1', { headers: forwarded });
      const cookie = onlyCookie(reply);
      assert.equal(cookie.name, '__Host-sid');
      assert.equal(cookie.attrs.secure, true);
      assert.deepEqual(b.ips, ['203.0.113.9']);
      assert.deepEqual(b.warnings, []);
    } finally {
      await b.app.close();
    }
  });

  it("honours a trustProxy function given to Fastify", async () => {
    const b = await build({ trustProxy: (addr: string, hop: number) => hop === 0 && addr === '127.0.0.1' }, { production: true });
    try {
      const cookie = onlyCookie(await call(b.running, '/set?key=a&value=1', { headers: forwarded }));
      assert.equal(cookie.attrs.secure, true);
      assert.deepEqual(b.ips, ['203.0.113.9']);
    } finally {
      await b.app.close();
    }
  });

  it("finds Fastify's trustProxy when registered inside an encapsulated plugin", async () => {
    const app = Fastify({ trustProxy: '127.0.0.1', forceCloseConnections: true });
    await app.register(async (child) => {
      await child.register(holdfast, { secrets: SECRET, store: new MemoryStore(), production: true });
      addRoutes(child);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const running: RunningApp = { port, tls: false, engine: undefined as never, close: () => app.close() };
      const cookie = onlyCookie(await call(running, '/set?key=a&value=1', { headers: forwarded }));
      assert.equal(cookie.attrs.secure, true);
    } finally {
      await app.close();
    }
  });

  it('a numeric Fastify trustProxy (which Fastify 5 itself refuses) trusts nothing, with a warning naming the fix', async () => {
    // Fastify 5's types no longer accept a number either.
    const b = await build({ trustProxy: 1 as unknown as string }, { production: true });
    try {
      assert.equal(b.warnings.length, 1, b.warnings.join('\n'));
      assert.match(b.warnings[0] as string, /hop count 1/);
      assert.match(b.warnings[0] as string, /pass trustProxy to holdfast/);
      const reply = await call(b.running, '/set?key=a&value=1', { headers: forwarded });
      assert.equal(reply.cookies.length, 0, 'no cookie over what is plain http as far as Fastify knows');
      assert.deepEqual(b.ips, []);
    } finally {
      await b.app.close();
    }
  });

  it("holdfast's own trustProxy wins over Fastify's", async () => {
    const b = await build({ trustProxy: true }, { production: true, trustProxy: false });
    try {
      const reply = await call(b.running, '/set?key=a&value=1', { headers: forwarded });
      assert.equal(reply.cookies.length, 0);
    } finally {
      await b.app.close();
    }
  });

  it('invalid options fail at register time with a ConfigError', async () => {
    const app = Fastify();
    await assert.rejects(async () => {
      await app.register(holdfast, { secrets: SECRET, store: new MemoryStore(), idleTimeout: 'soon' });
    }, ConfigError);
    await app.close().catch(() => undefined);
    const bad = Fastify();
    await assert.rejects(async () => {
      // @ts-expect-error "secret" is not a holdfast option
      await bad.register(holdfast, { secret: SECRET });
    }, /"secrets"/);
    await bad.close().catch(() => undefined);
  });

  it('the engine is app.sessions; request.session is typed', async () => {
    const b = await build({});
    try {
      const login = await call(b.running, '/login?user=alice', { method: 'POST' });
      const cookie = onlyCookie(login);
      const listed = await b.app.sessions.listSessions('alice');
      assert.equal(listed.length, 1);
      assert.deepEqual(json(await call(b.running, '/typed', { cookie: cookieHeader(cookie) })), { userId: 'alice', isNew: false });
    } finally {
      await b.app.close();
    }
  });

  it("the app's own Set-Cookie stays next to the session cookie", async () => {
    const b = await build({});
    try {
      const reply = await call(b.running, '/own-cookie');
      assert.deepEqual(reply.cookies.map((c) => c.name).sort(), ['sid', 'theme']);
      assert.equal(reply.headers['cache-control'], 'no-store');
    } finally {
      await b.app.close();
    }
  });

  it('a streamed body: Set-Cookie with its headers, data persisted; a failing store is a clean 503 before any byte', async () => {
    const b = await build({});
    try {
      const reply = await call(b.running, '/stream');
      assert.equal(reply.body, 'chunk1chunk2');
      const cookie = onlyCookie(reply);
      assert.deepEqual(json(await call(b.running, '/read', { cookie: cookieHeader(cookie) })).data, { s: 'streamed' });
      b.store.failure = 'reject';
      const failed = await call(b.running, '/stream');
      assert.equal(failed.status, 503);
      assert.equal(failed.body, 'error');
      assert.equal(failed.cookies.length, 0);
    } finally {
      await b.app.close();
    }
  });

  it('an error response still commits what the handler did before throwing (onSend runs for it)', async () => {
    const b = await build({});
    try {
      const reply = await call(b.running, '/throws');
      assert.equal(reply.status, 418);
      const cookie = onlyCookie(reply);
      assert.deepEqual(json(await call(b.running, '/read', { cookie: cookieHeader(cookie) })).data, { before: 'error' });
    } finally {
      await b.app.close();
    }
  });

  it('404s and anonymous requests touch no store', async () => {
    const b = await build({});
    try {
      assert.equal((await call(b.running, '/nowhere')).status, 404);
      assert.equal((await call(b.running, '/anon')).status, 200);
      assert.equal(b.store.total, 0);
    } finally {
      await b.app.close();
    }
  });
  it('lazy request.session: null before the plugin hook, built on first read, readable after the commit, assignable', async () => {
    const early: unknown[] = [];
    const late: unknown[] = [];
    const b = await build({}, {}, async (app, options) => {
      app.addHook('onRequest', async (request) => void early.push(request.session));
      await app.register(holdfast, options as unknown as FastifySessionOptions);
      app.addHook('onResponse', async (request) => void late.push(request.session));
      app.get('/untouched', async () => 'hi');
      app.get('/replace', async (request) => {
        (request as unknown as { session: unknown }).session = { replaced: true };
        return request.session;
      });
    });
    try {
      const untouched = await call(b.running, '/untouched');
      assert.equal(untouched.body, 'hi');
      assert.equal(untouched.cookies.length, 0);
      assert.equal(untouched.headers['cache-control'], undefined);
      assert.deepEqual(json(await call(b.running, '/replace')), { replaced: true });
      assert.equal(b.ips.length, 0, 'no session was created');
      const cookie = onlyCookie(await call(b.running, '/set?key=a&value=1'));
      assert.deepEqual(json(await call(b.running, '/read', { cookie: cookieHeader(cookie) })).data, { a: '1' });
      assert.equal(b.store.calls.set, 1);
      assert.deepEqual(early, [null, null, null, null]);
      const committed = late[2] as Session<Record<string, unknown>>;
      assert.equal(committed.a, '1', 'the committed session is still request.session in onResponse');
    } finally {
      await b.app.close();
    }
  });
});
