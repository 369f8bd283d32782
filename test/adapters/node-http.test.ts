/**
 * Plain node:http: the holdfast/express middleware called as `mw(req, res, next)` in front of a
 * hand-written router, run through the shared behaviour suite.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { session, type ExpressSessionOptions, type RequestWithSession } from '../../src/adapters/express/index.ts';
import type { Session } from '../../src/core/session-types.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { call, cookieHeader, json } from '../behaviour/client.ts';
import type { AppFixture, FixtureStartOptions, RunningApp } from '../behaviour/fixture.ts';
import { SECRET, onlyCookie } from '../behaviour/harness.ts';
import { listen } from '../behaviour/listen.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

type Data = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', typeof body === 'string' ? 'text/plain' : 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = error as { status?: number; statusCode?: number } | undefined;
  send(res, e?.status ?? e?.statusCode ?? 500, 'error');
}

/** The route table of fixture.ts. */
async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const q = (name: string): string => url.searchParams.get(name) ?? '';
  const at = `${req.method} ${url.pathname}`;
  if (at === 'GET /anon') return send(res, 200, 'ok');
  const s = (req as RequestWithSession).session as Session<Data>;
  switch (at) {
    case 'GET /read':
      return send(res, 200, { userId: s.userId, isNew: s.isNew, data: s.toJSON() });
    case 'GET /set':
      s[q('key')] = q('value');
      return send(res, 200, s.toJSON());
    case 'GET /push':
      ((s.list ??= []) as string[]).push(q('value'));
      return send(res, 200, s.toJSON());
    case 'POST /login':
      await s.login(q('user'));
      return send(res, 200, { userId: s.userId });
    case 'POST /logout':
      await s.logout();
      return send(res, 200, 'ok');
    case 'POST /regenerate':
      await s.regenerate();
      return send(res, 200, 'ok');
    case 'POST /destroy':
      await s.destroy();
      return send(res, 200, 'ok');
    case 'GET /touch':
      await s.touch();
      return send(res, 200, 'ok');
    case 'GET /fresh':
      return send(res, 200, { fresh: s.isFresh(Number(q('maxAge'))) });
    case 'GET /cache':
      res.setHeader('Cache-Control', 'private, no-store, max-age=0');
      s.x = 'cached';
      return send(res, 200, 'ok');
    case 'GET /stream':
      s.s = 'streamed';
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('chunk1');
      setTimeout(() => res.end('chunk2'), 20);
      return;
    default:
      return send(res, 404, 'not found');
  }
}

const fixture: AppFixture = {
  name: 'node:http',
  capabilities: { streaming: true },
  async start(options: FixtureStartOptions): Promise<RunningApp> {
    const mw = session(options.sessionOptions as unknown as ExpressSessionOptions);
    const server = await listen((req, res) => {
      // next() may be called a second time with an error when the commit fails.
      mw(req, res, (error?: unknown) => {
        if (error !== undefined) return fail(res, error);
        route(req, res).catch((e: unknown) => fail(res, e));
      });
    }, options.tls);
    return { port: server.port, tls: server.tls, engine: mw.sessions, close: server.close };
  },
};

runBehaviourSuite(fixture);

describe('node:http specifics', () => {
  it('works without Express: no req.app, no originalUrl; the session middleware mounted twice is a no-op', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const mw = session({ secrets: SECRET, store, production: false });
    const server = await listen((req, res) => {
      mw(req, res, () => {
        mw(req, res, () => {
          route(req, res).catch((e: unknown) => fail(res, e));
        });
      });
    });
    const app: RunningApp = { port: server.port, tls: false, engine: mw.sessions, close: server.close };
    try {
      const cookie = onlyCookie(await call(app, '/set?key=a&value=1'));
      const second = await call(app, '/set?key=b&value=2', { cookie: cookieHeader(cookie) });
      assert.equal(second.cookies.length, 0, 'a change within touchAfter sends no cookie');
      const touched = await call(app, '/touch', { cookie: cookieHeader(cookie) });
      assert.equal(touched.cookies.length, 1, 'a touch sends the cookie once, not once per mount');
      assert.deepEqual(json(await call(app, '/read', { cookie: cookieHeader(cookie) })).data, { a: '1', b: '2' });
    } finally {
      await server.close();
    }
  });
});
