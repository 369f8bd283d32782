// A consumer's TypeScript, type-checked against the installed declarations (never run). The
// `@ts-expect-error` lines are the negative half: each must stay an error, or tsc fails.
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import {
  ConfigError,
  HoldfastError,
  createSessions,
  type HoldfastErrorCode,
  type SessionInfo,
  type SessionStore,
  type Sessions,
} from 'holdfast';
import { runStoreConformance } from 'holdfast/conformance';
import { session, type RequestWithSession } from 'holdfast/express';
import expressSession from 'holdfast/express-session';
import holdfastFastify from 'holdfast/fastify';
import { session as honoSession, type SessionVariables } from 'holdfast/hono';
import { session as koaSession } from 'holdfast/koa';
import { MemoryStore } from 'holdfast/stores/memory';
import { SqliteStore } from 'holdfast/stores/sqlite';
import { createWebSessions } from 'holdfast/web';

declare module 'holdfast' {
  interface SessionData {
    visits: number;
    cart: string[];
  }
}

const secrets = process.env.SESSION_SECRET ?? 'dev-only-secret';

export async function consumer(): Promise<void> {
  // Express: declaration merging reaches req.session.
  const mw = session({ secrets, store: new SqliteStore({ path: 'sessions.sqlite' }), trustProxy: 1, idleTimeout: '30m' });
  const app = express();
  app.use(mw);
  app.get('/', async (req, res) => {
    const s = (req as unknown as RequestWithSession).session;
    s.visits = (s.visits ?? 0) + 1;
    (s.cart ??= []).push('apple');
    // @ts-expect-error visits is a number
    s.visits = 'many';
    // @ts-expect-error the API names are read-only
    s.userId = 'mallory';
    await s.login('alice');
    res.json({ handle: s.handle, fresh: s.isFresh('5m') });
  });

  // The engine: only what README documents.
  const engine: Sessions = mw.sessions;
  const listed: SessionInfo[] = await engine.listSessions('alice');
  await engine.revokeSession('alice', listed[0]?.handle ?? '');
  await engine.revokeAllSessions('alice', { except: 'handle' });
  const off: () => void = engine.on('expired', (event) => console.log(event.reason, event.handle));
  off();
  // @ts-expect-error the store is internal
  void engine.store;
  // @ts-expect-error so is per-request loading
  void mw.sessions.open;
  await createSessions({ secrets }).close();

  // Error codes are a closed set.
  const code: 'ERR_HOLDFAST_CONFIG' = new ConfigError('x').code;
  const any: HoldfastErrorCode = code;
  // @ts-expect-error not a holdfast error code
  const wrong: HoldfastErrorCode = 'ERR_NOPE';
  void [any, wrong, (e: unknown) => (e instanceof HoldfastError ? e.status : 500)];

  // Fastify: request.session and app.sessions by module augmentation.
  const fastify = Fastify();
  await fastify.register(holdfastFastify, { secrets, store: new MemoryStore() });
  fastify.get('/', async (request) => {
    request.session.visits = 1;
    return fastify.sessions.listSessions('alice');
  });

  // Koa: ctx.session.
  const koa = new Koa();
  koa.use(koaSession({ secrets }));
  koa.use(async (ctx) => {
    ctx.session.cart = ['pear'];
  });

  // Hono: typed through context variables.
  const hono = new Hono<{ Variables: SessionVariables }>();
  hono.use(honoSession({ secrets }));
  hono.get('/', (c) => c.json({ visits: c.get('session').visits ?? 0 }));

  // Web Request/Response.
  const web = createWebSessions({ secrets });
  const loaded = await web.load(new Request('https://example.com/'));
  loaded.session.visits = 2;
  const response: Response = await loaded.commit(new Response('ok'));
  void response;

  // express-session drop-in and store authors.
  app.use(expressSession({ secret: secrets, resave: false, saveUninitialized: false }));
  const store: SessionStore = new MemoryStore({ maxSessions: 10 });
  runStoreConformance('MemoryStore', { create: async () => store });
}
