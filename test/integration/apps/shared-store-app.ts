/**
 * A small Express app on holdfast/express, run as a child process by test/support/app-process.ts.
 * Configured by environment:
 *
 *   HF_STORE=redis     HF_REDIS_PORT (default 6379), HF_REDIS_PREFIX      → RedisStore on ioredis
 *   HF_STORE=postgres  HF_PG_TABLE, HF_PG_APP_NAME (application_name)      → PostgresStore on a pg Pool
 *   HF_STORE=connect-redis  HF_REDIS_PORT, HF_REDIS_PREFIX → connect-redis (node-redis) through the express-session bridge
 *   HF_SECRET (shared by every instance), HF_STORE_TIMEOUT (ms, default 500), PORT (0 = any)
 *
 * Routes: POST /login?user=, GET /me, POST /logout-all, GET /set?k=&v=, GET /health.
 * Prints `listening <port>` on stdout once it can serve. Unhandled rejections and uncaught
 * exceptions are printed to stderr with a marker the tests look for; an uncaught exception also
 * ends the process (as Node would).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { session, type RequestWithSession } from 'holdfast/express';
import type { SessionStore } from 'holdfast';

process.on('unhandledRejection', (reason) => {
  console.error(`HF_UNHANDLED_REJECTION ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});
process.on('uncaughtException', (error) => {
  console.error(`HF_UNCAUGHT_EXCEPTION ${error.stack ?? error.message}`);
  process.exit(70);
});

const env = process.env;
const storeTimeout = Number(env.HF_STORE_TIMEOUT ?? 500);
const secret = env.HF_SECRET;
if (secret === undefined || secret.length < 32) throw new Error('HF_SECRET (32+ characters) is required');

/** Rate-limited driver error logging: the tests read stderr, so keep it short. */
let lastDriverLog = 0;
const driverError = (what: string) => (error: Error & { code?: string }) => {
  const now = Date.now();
  if (now - lastDriverLog < 1_000) return;
  lastDriverLog = now;
  console.error(`driver ${what}: ${error.code ?? error.message}`);
};

async function makeStore(): Promise<{ store: SessionStore; close: () => Promise<void> }> {
  if (env.HF_STORE === 'redis') {
    const { Redis } = await import('ioredis');
    const { RedisStore } = await import('holdfast/stores/redis');
    // Fail fast while Redis is away (no offline queue), reconnect in the background.
    const client = new Redis({
      host: '127.0.0.1',
      port: Number(env.HF_REDIS_PORT ?? 6379),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1_000,
      retryStrategy: (times: number) => Math.min(50 * times, 500),
    });
    client.on('error', driverError('redis'));
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      setTimeout(() => reject(new Error('Redis did not become ready within 5 s')), 5_000).unref();
    });
    return { store: new RedisStore({ client, prefix: env.HF_REDIS_PREFIX ?? 'hf-it:' }), close: async () => void client.disconnect() };
  }
  if (env.HF_STORE === 'postgres') {
    const { default: pg } = await import('pg');
    const { PostgresStore } = await import('holdfast/stores/postgres');
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: 5432,
      user: env.HF_PG_USER ?? 'postgres',
      database: env.HF_PG_DATABASE ?? 'test',
      application_name: env.HF_PG_APP_NAME ?? 'holdfast-it',
      max: 10,
      connectionTimeoutMillis: 1_000,
    });
    pool.on('error', driverError('pg pool'));
    return { store: new PostgresStore({ pool, table: env.HF_PG_TABLE ?? 'holdfast_it', sweepInterval: 0 }), close: () => pool.end() };
  }
  if (env.HF_STORE === 'connect-redis') {
    // An existing express-session deployment's store, through the bridge.
    // (Relative import until package.json exports holdfast/stores/express-session.)
    const { createClient } = await import('redis');
    const { RedisStore: ConnectRedis } = await import('connect-redis');
    const { fromExpressSessionStore } = await import('../../../src/stores/express-session/index.ts');
    const client = createClient({ socket: { host: '127.0.0.1', port: Number(env.HF_REDIS_PORT ?? 6379), connectTimeout: 1_000 } });
    client.on('error', driverError('node-redis'));
    await client.connect();
    const wrapped = new ConnectRedis({ client, prefix: env.HF_REDIS_PREFIX ?? 'hf-it-sess:' });
    return { store: fromExpressSessionStore(wrapped, { callTimeout: storeTimeout }), close: async () => void (await client.close()) };
  }
  throw new Error(`HF_STORE must be redis, postgres or connect-redis, not ${String(env.HF_STORE)}`);
}

const { store, close } = await makeStore();
const sessions = session({ secrets: [secret], store, storeTimeout, touchAfter: '1h' });

const app = express();
app.disable('x-powered-by');
app.get('/health', (_req, res) => {
  res.json({ ok: true, pid: process.pid });
});
app.use(sessions);

const sess = (req: Request) => (req as unknown as RequestWithSession).session as RequestWithSession['session'] & Record<string, unknown>;

app.post('/login', async (req, res) => {
  const user = String(req.query.user ?? '');
  if (user === '') {
    res.status(400).json({ error: 'user required' });
    return;
  }
  await sess(req).login(user);
  res.json({ userId: user });
});

app.get('/me', (req, res) => {
  const s = sess(req);
  res.json({ userId: s.userId, handle: s.isNew ? null : s.handle, data: s.toJSON() });
});

app.post('/logout-all', async (req, res) => {
  const s = sess(req);
  const userId = s.userId;
  if (userId === null) {
    res.status(401).json({ error: 'not signed in' });
    return;
  }
  const revoked = await sessions.sessions.revokeAllSessions(userId);
  await s.logout(); // this device too: its record is already gone; this clears its cookie
  res.json({ revoked });
});

app.get('/set', (req, res) => {
  const k = String(req.query.k ?? '');
  if (k === '') {
    res.status(400).json({ error: 'k required' });
    return;
  }
  sess(req)[k] = String(req.query.v ?? '');
  res.json({ ok: true });
});

app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
  const status = typeof error.status === 'number' ? error.status : 500;
  if (status >= 500 && status !== 503) console.error(`HF_APP_ERROR ${error.stack ?? error.message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error: (error as { code?: string }).code ?? 'error' });
});

const server = app.listen(Number(env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address !== null ? address.port : 0}`);
});
server.keepAliveTimeout = 5_000;

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  void Promise.allSettled([sessions.sessions.close(), close()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
