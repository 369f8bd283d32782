/**
 * The app of the migration test, run as a child process. IMPL chooses the session library:
 * `express-session` (before the switch) or `holdfast` (after: the only change is the import).
 * Everything else (secret, store, prefix, options) is the same. Prints `PORT <n>` when listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express, { type RequestHandler } from 'express';
import expressSession from 'express-session';
import { createClient } from 'redis';
import holdfastSession from '../../src/adapters/express-session/index.ts';

const IMPL = process.env.IMPL ?? 'express-session';
const session = (IMPL === 'holdfast' ? holdfastSession : expressSession) as unknown as (options: object) => RequestHandler;

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', (err: Error) => console.error('redis:', err.message));
await client.connect();

interface AppSession {
  user?: string;
  visits?: number;
  regenerate(cb: (err?: unknown) => void): void;
  save(cb: (err?: unknown) => void): void;
  destroy(cb: (err?: unknown) => void): void;
}
type Req = express.Request & { session: AppSession };

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET,
    store: new RedisStore({ client, prefix: process.env.PREFIX }),
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 86_400_000, sameSite: 'lax' },
    ...(IMPL === 'holdfast' ? { logger: { info() {}, warn() {}, error() {} } } : {}),
  }),
);
app.post('/login', (req, res, next) => {
  const s = (req as Req).session;
  s.regenerate((err) => {
    if (err) return next(err);
    const fresh = (req as Req).session;
    fresh.user = String(req.query.user);
    fresh.save((e) => (e ? next(e) : res.json({ user: fresh.user, impl: IMPL })));
  });
});
app.get('/me', (req, res) => {
  const s = (req as Req).session;
  res.json({ user: s.user ?? null, visits: s.visits ?? 0, impl: IMPL });
});
app.post('/visit', (req, res) => {
  const s = (req as Req).session;
  s.visits = (s.visits ?? 0) + 1;
  res.json({ visits: s.visits, impl: IMPL });
});
app.post('/logout', (req, res, next) => {
  (req as Req).session.destroy((err) => (err ? next(err) : res.json({ user: null, impl: IMPL })));
});

const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  console.log(`PORT ${(server.address() as AddressInfo).port}`);
});
const stop = (): void => {
  server.close(() => {
    void client.close().finally(() => process.exit(0));
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
