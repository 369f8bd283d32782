/**
 * The test app for the browser tests of holdfast/client: Express + holdfast (MemoryStore, a
 * hand-moved server clock, idle 60 s, expiryHeader on) serving a login page, an app page that
 * loads the client module (type-stripped on the fly) and the status / extend / logout routes.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import express from 'express';
import { session } from '../../src/adapters/express/index.ts';
import type { Session } from '../../src/core/session-types.ts';
import { extendSession, sessionStatus } from '../../src/core/session-status.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen, type Listening } from '../behaviour/listen.ts';
import { TestClock } from '../support/clock.ts';

const SECRET = 'Y2xpZW50LXRlc3Qtc2VjcmV0LW5vdC1mb3ItcHJvZHVjdGlvbg-9q';
export const IDLE_MS = 60_000;
export const WARN_MS = 20_000;

export interface ClientApp {
  url: string;
  clock: TestClock;
  /** Status requests the server answered (how many carried Holdfast-Passive: 1), logout requests. */
  counts: { status: number; passive: number; logout: number };
  /** Server-side expiry of the user's session (each test signs in its own), or undefined when it has none. */
  expiresAt(userId: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The holdfast session (Express's Request type carries express-session's). */
const sessionOf = (req: express.Request): Session => (req as unknown as { session: Session }).session;

const page = (body: string): string => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`;

export async function startClientApp(): Promise<ClientApp> {
  const clock = new TestClock();
  const store = new MemoryStore({ sweepInterval: 0 });
  const counts = { status: 0, passive: 0, logout: 0 };
  const mw = session({ secrets: SECRET, store, production: false, clock: clock.now, idleTimeout: IDLE_MS, absoluteTimeout: '1h', expiryHeader: true });
  const module = stripTypeScriptTypes(readFileSync(new URL('../../src/client/index.ts', import.meta.url), 'utf8'));
  const app = express();
  app.use(mw);
  app.get('/client.js', (_req, res) => {
    res.type('text/javascript').send(module);
  });
  app.get('/login', (_req, res) => {
    res.send(page('<h1>Log in</h1>'));
  });
  app.post('/login', async (req, res) => {
    await sessionOf(req).login(String(req.query.user));
    res.sendStatus(204);
  });
  app.get('/app', (req, res) => {
    const logoutOnClose = req.query.close === '1';
    res.send(
      page(`<h1>App</h1><button id="other">other</button><script type="module">
import { watchSession } from '/client.js';
window.watch = watchSession({ statusUrl: '/session/status', extendUrl: '/session/extend', logoutUrl: '/logout', loginUrl: '/login', warnBefore: ${WARN_MS}, observeFetch: true, logoutOnClose: ${logoutOnClose} });
</script>`),
    );
  });
  app.get('/ping', (_req, res) => {
    res.send('pong');
  });
  app.get('/session/status', (req, res) => {
    counts.status += 1;
    if (req.get('holdfast-passive') === '1') counts.passive += 1;
    res.json(sessionStatus(sessionOf(req)));
  });
  app.post('/session/extend', (req, res) => {
    res.json(extendSession(sessionOf(req)));
  });
  app.post('/logout', async (req, res) => {
    counts.logout += 1;
    await sessionOf(req).logout();
    res.sendStatus(204);
  });
  const listening: Listening = await listen(app);
  return {
    url: `http://127.0.0.1:${listening.port}`,
    clock,
    counts,
    async expiresAt(userId) {
      const [info] = await mw.sessions.listSessions(userId);
      return info?.expiresAt;
    },
    async close() {
      await listening.close();
      await store.close();
    },
  };
}
