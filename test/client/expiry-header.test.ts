/**
 * Holdfast-Session-Expires (the `expiryHeader` option) from every adapter over real HTTP (Hono
 * and the web adapter through app.fetch / Request objects): seconds left after the commit, the
 * same on a passive status read (which does not touch), moved by an ordinary request once
 * touchAfter has passed, 0 after a logout, absent without a session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { session as expressSession } from '../../src/adapters/express/index.ts';
import fastifyPlugin from '../../src/adapters/fastify/index.ts';
import { session as honoSession } from '../../src/adapters/hono/index.ts';
import { session as koaSession } from '../../src/adapters/koa/index.ts';
import { createWebSessions } from '../../src/adapters/web/index.ts';
import { sessionStatus } from '../../src/core/session-status.ts';
import type { Session } from '../../src/core/session-types.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen } from '../behaviour/listen.ts';
import { TestClock } from '../support/clock.ts';

const SECRET = 'ZXhwaXJ5LWhlYWRlci10ZXN0LXNlY3JldC1ub3QtcmVhbA-4kQ';
type Fetch = (path: string, cookie?: string) => Promise<Response>;
/** What each route does with the session; the body is irrelevant. */
async function route(path: string, s: Session): Promise<void> {
  if (path === '/login') await s.login('u1');
  else if (path === '/status') sessionStatus(s);
  else if (path === '/out') await s.logout();
}
const options = (clock: TestClock) => ({ secrets: SECRET, store: new MemoryStore({ sweepInterval: 0 }), production: false, clock: clock.now, idleTimeout: '60s', expiryHeader: true });

async function overHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ fetch: Fetch; close(): Promise<void> }> {
  const l = await listen(handler);
  return { fetch: (path, cookie) => fetch(`http://127.0.0.1:${l.port}${path}`, { headers: cookie ? { cookie } : {} }), close: () => l.close() };
}

const FRAMEWORKS: Record<string, (clock: TestClock) => Promise<{ fetch: Fetch; close(): Promise<void> }>> = {
  async express(clock) {
    const app = express();
    app.use(expressSession(options(clock)));
    app.use(async (req, res) => {
      await route(req.path, (req as unknown as { session: Session }).session);
      res.send('ok');
    });
    return overHttp(app);
  },
  async koa(clock) {
    const app = new Koa();
    app.use(koaSession(options(clock)));
    app.use(async (ctx) => {
      await route(ctx.path, ctx.session);
      ctx.body = 'ok';
    });
    return overHttp(app.callback());
  },
  async fastify(clock) {
    const app = Fastify();
    await app.register(fastifyPlugin, options(clock));
    app.get('/*', async (request) => {
      await route(request.url, request.session);
      return 'ok';
    });
    await app.ready();
    return overHttp((req, res) => app.routing(req, res));
  },
  async hono(clock) {
    const app = new Hono();
    app.use(honoSession(options(clock)));
    app.get('/*', async (c) => {
      await route(c.req.path, c.get('session' as never) as Session);
      return c.text('ok');
    });
    return { fetch: (path, cookie) => Promise.resolve(app.fetch(new Request(`http://app.test${path}`, { headers: cookie ? { cookie } : {} }))), close: async () => undefined };
  },
  async web(clock) {
    const sessions = createWebSessions(options(clock));
    return {
      async fetch(path, cookie) {
        const web = await sessions.load(new Request(`http://app.test${path}`, { headers: cookie ? { cookie } : {} }), { remoteAddress: '127.0.0.1' });
        await route(path, web.session);
        return web.commit(new Response('ok'));
      },
      close: async () => undefined,
    };
  },
};

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  test(`${name}: Holdfast-Session-Expires follows the session`, async () => {
    const clock = new TestClock();
    const app = await start(clock);
    try {
      const expires = (r: Response): string | null => r.headers.get('holdfast-session-expires');
      const login = await app.fetch('/login');
      assert.equal(expires(login), '60');
      const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0];
      clock.advance('10s');
      assert.equal(expires(await app.fetch('/read', cookie)), '50', 'not due a touch: the expiry stays');
      clock.advance('25s');
      const status = await app.fetch('/status', cookie);
      assert.equal(expires(status), '25', 'a passive read does not move it');
      assert.deepEqual(status.headers.getSetCookie(), []);
      assert.equal(expires(await app.fetch('/read', cookie)), '60', 'an ordinary request past touchAfter touches');
      assert.equal(expires(await app.fetch('/out', cookie)), '0');
      assert.equal(expires(await app.fetch('/read')), null, 'no session, no header');
    } finally {
      await app.close();
    }
  });
}

test('the header is opt-in', async () => {
  const app = express();
  app.use(expressSession({ ...options(new TestClock()), expiryHeader: false }));
  app.use(async (req, res) => {
    await route(req.path, (req as unknown as { session: Session }).session);
    res.send('ok');
  });
  const server = await overHttp(app);
  try {
    assert.equal((await server.fetch('/login')).headers.get('holdfast-session-expires'), null);
  } finally {
    await server.close();
  }
});
