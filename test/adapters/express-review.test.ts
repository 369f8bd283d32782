/**
 * Findings of the engine review that need real HTTP through the Express adapter.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Request, type Response } from 'express';
import { session } from '../../src/adapters/express/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen, type Listening } from '../behaviour/listen.ts';
import { send } from '../support/http-client.ts';

const SECRET = 'cmV2aWV3LXRlc3RzLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24';

type Data = Record<string, unknown>;
const data = (req: Request): Data => (req as unknown as { session: Data }).session;

describe('express adapter review', () => {
  let server: Listening;
  const store = new MemoryStore({ sweepInterval: 0 });

  before(async () => {
    const app = express();
    app.use(session({ secrets: SECRET, store, production: false }));
    // The app hands its headers to writeHead (node:http style); Node lets those replace what was
    // set with setHeader, so the session cookie and its Cache-Control must survive them.
    app.get('/write-head-object', (req: Request, res: Response) => {
      data(req).a = 1;
      res.writeHead(200, { 'Cache-Control': 'public, max-age=600', 'Set-Cookie': 'theme=dark; Path=/', 'Content-Type': 'text/plain' });
      res.end('ok');
    });
    app.get('/write-head-array', (req: Request, res: Response) => {
      data(req).a = 1;
      res.writeHead(200, 'Fine', ['cache-control', 'public, max-age=600', 'set-cookie', 'theme=dark; Path=/', 'set-cookie', 'lang=en; Path=/']);
      res.end('ok');
    });
    app.get('/write-head-streaming', (req: Request, res: Response) => {
      data(req).a = 1;
      res.writeHead(200, { 'cache-control': 'max-age=600' });
      res.write('part 1, ');
      res.end('part 2');
    });
    // The lazy session of a cookie-less request: built once on first use, replaceable before.
    app.get('/lazy-identity', (req: Request, res: Response) => {
      const first = data(req);
      first.seen = true;
      res.json({ same: data(req) === first, own: Object.hasOwn(req, 'session') });
    });
    app.get('/lazy-replaced', (req: Request, res: Response) => {
      (req as unknown as { session: unknown }).session = null;
      res.json({ session: (req as unknown as { session: unknown }).session });
    });
    app.get('/lazy-untouched', (_req: Request, res: Response) => {
      res.send('ok');
    });
    server = await listen(app);
  });

  after(async () => {
    await server.close();
    await store.close();
  });

  for (const path of ['/write-head-object', '/write-head-array', '/write-head-streaming']) {
    it(`${path}: headers passed to writeHead neither drop the session cookie nor its Cache-Control: no-store`, async () => {
      const res = await send({ port: server.port, path });
      assert.equal(res.status, 200);
      assert.ok(res.setCookies.some((c) => c.startsWith('sid=')), `session cookie present: ${JSON.stringify(res.setCookies)}`);
      if (path !== '/write-head-streaming') assert.ok(res.setCookies.some((c) => c.startsWith('theme=')), "the app's own cookie is kept");
      if (path === '/write-head-array') assert.ok(res.setCookies.some((c) => c.startsWith('lang=')), 'repeated headers in the array form are kept');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.ok(res.body.startsWith(path === '/write-head-streaming' ? 'part 1' : 'ok'));
    });
  }

  it('the lazy session of a cookie-less request: one object, created on first use, cookie when written', async () => {
    const res = await send({ port: server.port, path: '/lazy-identity' });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { same: boolean; own: boolean };
    assert.equal(body.same, true);
    assert.equal(body.own, true);
    assert.ok(res.setCookies.some((c) => c.startsWith('sid=')));
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('a cookie-less request that replaces req.session before using it, or never uses it: no cookie, no store write', async () => {
    const before = store.size;
    const replaced = await send({ port: server.port, path: '/lazy-replaced' });
    assert.deepEqual(JSON.parse(replaced.body), { session: null });
    assert.deepEqual(replaced.setCookies, []);
    const untouched = await send({ port: server.port, path: '/lazy-untouched' });
    assert.equal(untouched.body, 'ok');
    assert.deepEqual(untouched.setCookies, []);
    assert.equal(untouched.headers['cache-control'], undefined);
    assert.equal(store.size, before);
  });
});

describe('express adapter: node:http callers', () => {
  it('a next() that throws after the session loaded surfaces as an uncaught exception, not an unhandled rejection', async () => {
    const { createServer } = await import('node:http');
    const store = new MemoryStore({ sweepInterval: 0 });
    const mw = session({ secrets: 'x'.repeat(40), store, production: false });
    const rejections: unknown[] = [];
    const uncaught: unknown[] = [];
    const onRejection = (e: unknown): void => void rejections.push(e);
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onRejection);
    const server = createServer((req, res) => {
      mw(req, res, () => {
        const s = (req as unknown as { session: Record<string, unknown> }).session;
        if (req.url === '/seed') s.a = 1;
        res.end('ok');
        if (req.url === '/boom') throw new Error('thrown by next');
      });
    });
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const port = (server.address() as { port: number }).port;
      const seed = await send({ port, path: '/seed' });
      const cookie = (seed.setCookies[0] ?? '').split(';')[0] as string;
      assert.match(cookie, /^sid=/);
      await send({ port, path: '/boom', headers: { cookie } });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(rejections.length, 0);
      assert.equal(uncaught.length, 1);
      assert.match((uncaught[0] as Error).message, /thrown by next/);
    } finally {
      server.close();
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onUncaught);
      for (const listener of previous) process.on('uncaughtException', listener);
      await store.close();
    }
  });
});
