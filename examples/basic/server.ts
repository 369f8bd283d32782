/**
 * `npm start`: a small Express app on holdfast with the embedded SQLite store.
 * Sign in with any name, count visits, see your sessions on other devices and end them. Every
 * form is CSRF-protected (holdfast/csrf), and a signed-in page warns before the idle timeout with
 * holdfast/client (IDLE_TIMEOUT=2m npm start to see the warning soon).
 *
 *   PORT=3000 HOST=localhost npm start
 *
 * Sessions live in ./data/sessions.sqlite and survive restarts. The signing secret comes from
 * SESSION_SECRET, or (development only) is generated once into ./data/secret. Behind a TLS proxy
 * set TRUST_PROXY (1 for one nginx: deploy/nginx/README.md; Azure App Service: deploy/azure.md).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { extendSession, sessionStatus } from 'holdfast';
import { csrf, session, type RequestWithCsrf, type RequestWithSession } from 'holdfast/express';
import { SqliteStore } from 'holdfast/stores/sqlite';
import { holdfastClientScript } from './client-script.ts';
import { loadOrCreateSecret } from './secret.ts';
import { sessionsPage, homePage } from './pages.ts';
import { trustProxyFromEnv } from './trust-proxy-env.ts';

declare module 'holdfast' {
  interface SessionData {
    visits: number;
    flash: string;
  }
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? 'localhost';
const dataDir = process.env.DATA_DIR ?? 'data';

const sessions = session({
  secrets: process.env.SESSION_SECRET ?? loadOrCreateSecret(dataDir),
  store: new SqliteStore({ path: `${dataDir}/sessions.sqlite` }),
  // Behind nginx or a cloud load balancer, tell holdfast which hop terminates TLS
  // (TRUST_PROXY=1 behind one nginx; see deploy/nginx/README.md and deploy/azure.md):
  trustProxy: trustProxyFromEnv(process.env.TRUST_PROXY),
  idleTimeout: process.env.IDLE_TIMEOUT ?? '30m',
  // Every response carries the seconds left, so the page's countdown follows real activity.
  expiryHeader: true,
  absoluteTimeout: '12h',
});
sessions.sessions.on('login', (e) => console.log(`login user=${e.userId} session=${e.handle} ip=${e.ip}`));
sessions.sessions.on('rejected', (e) => console.log(`rejected cookie reason=${e.reason} ip=${e.ip}`));

const app = express();
app.disable('x-powered-by');
app.use(express.urlencoded({ extended: false, limit: '4kb' }));

app.use(sessions);
// Cross-site posts are refused (Sec-Fetch-Site / Origin, else the _csrf form field).
app.use(csrf());

const clientScript = await holdfastClientScript();
app.get('/assets/holdfast-client.js', (_req, res) => {
  res.type('text/javascript').set('Cache-Control', 'no-cache').send(clientScript);
});
// For the idle-timeout warning: a passive status read, and an extension (CSRF-checked POST).
app.get('/session/status', (req, res) => {
  res.json(sessionStatus((req as unknown as RequestWithSession).session));
});
app.post('/session/extend', (req, res) => {
  res.json(extendSession((req as unknown as RequestWithSession).session));
});

/** The CSRF token for this request's forms. */
const tokenOf = (req: express.Request): string => (req as unknown as RequestWithCsrf).csrfToken();

app.get('/', (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  s.visits = (s.visits ?? 0) + 1;
  const flash = s.flash;
  delete s.flash;
  res.send(homePage({ userId: s.userId, visits: s.visits, flash, expiresAt: s.expiresAt, csrfToken: tokenOf(req) }));
});

app.post('/login', async (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  const name = String((req.body as Record<string, unknown>)?.name ?? '').trim();
  if (!/^[\w.@-]{1,64}$/.test(name)) {
    s.flash = 'Pick a name of 1–64 letters, digits, dots, dashes or @.';
    res.redirect(303, '/');
    return;
  }
  await s.login(name);
  s.flash = `Signed in as ${name}.`;
  res.redirect(303, '/');
});

app.post('/logout', async (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  await s.logout();
  res.redirect(303, '/');
});

app.get('/sessions', async (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  if (s.userId === null) {
    res.redirect(303, '/');
    return;
  }
  const list = await sessions.sessions.listSessions(s.userId);
  res.send(sessionsPage(list, s.handle, tokenOf(req)));
});

app.post('/sessions/revoke', async (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  const handle = String((req.body as Record<string, unknown>)?.handle ?? '');
  if (s.userId !== null) await sessions.sessions.revokeSession(s.userId, handle);
  res.redirect(303, '/sessions');
});

app.post('/sessions/revoke-others', async (req, res) => {
  const { session: s } = req as unknown as RequestWithSession;
  if (s.userId !== null) await sessions.sessions.revokeAllSessions(s.userId, { except: s.handle });
  s.flash = 'Signed out everywhere else.';
  res.redirect(303, '/sessions');
});

const server = app.listen(port, host, () => {
  // The bound port, so PORT=0 (any free port) works too.
  console.log(`holdfast example listening on http://${host}:${(server.address() as AddressInfo).port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
