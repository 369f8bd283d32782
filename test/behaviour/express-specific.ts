/** Express-only behaviour: Express's own `trust proxy`, errors through next(err), mounting twice. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { session } from '../../src/adapters/express/index.ts';
import { StoreError } from '../../src/core/errors.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { CountingStore } from '../support/counting-store.ts';
import { call, cookieHeader, json, type SetCookie } from './client.ts';
import { addRoutes, errorHandler, type ExpressFactory } from './express-app.ts';
import type { RunningApp } from './fixture.ts';
import { OTHER_SECRET, SECRET, onlyCookie } from './harness.ts';
import { listen } from './listen.ts';

interface Built {
  app: RunningApp;
  store: CountingStore;
  warnings: string[];
  errors: unknown[];
}

interface BuildOptions {
  /** Runs before the session middleware is mounted (app settings). */
  setup?: (app: Express) => void;
  /** Runs right after it is mounted (more middleware). */
  afterSession?: (app: Express) => void;
  session?: Record<string, unknown>;
  /** How many times the same middleware is mounted. Default 1. */
  mounts?: number;
}

async function build(express: ExpressFactory, options: BuildOptions = {}): Promise<Built & { close(): Promise<void> }> {
  const store = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
  const warnings: string[] = [];
  const errors: unknown[] = [];
  const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => void (!('event' in obj) && warnings.push(msg ?? '')) };
  const app = express();
  const mw = session({ secrets: SECRET, store, logger, production: false, storeTimeout: 200, ...options.session });
  options.setup?.(app);
  for (let i = 0; i < (options.mounts ?? 1); i++) app.use(mw as unknown as RequestHandler);
  options.afterSession?.(app);
  addRoutes(app);
  const capture: ErrorRequestHandler = (err, _req, _res, next) => {
    errors.push(err);
    next(err);
  };
  app.use(capture, errorHandler);
  const server = await listen(app);
  return { app: { port: server.port, tls: false, engine: mw.sessions, close: server.close }, store, warnings, errors, close: server.close };
}

export function runExpressSpecific(name: string, express: ExpressFactory): void {
  describe(`${name}: Express specifics`, () => {
    it("honours Express's own `trust proxy` when trustProxy is not given (secure cookie and client IP)", async () => {
      const b = await build(express, { setup: (app) => app.set('trust proxy', 'loopback'), session: { production: true } });
      try {
        const ips: Array<string | undefined> = [];
        b.app.engine.on('created', (e) => ips.push(e.ip));
        const reply = await call(b.app, '/set?key=a&value=1', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
        const cookie = onlyCookie(reply);
        assert.equal(cookie.name, '__Host-sid');
        assert.equal(cookie.attrs.secure, true);
        assert.deepEqual(ips, ['203.0.113.9']);
        assert.deepEqual(b.warnings, []);
      } finally {
        await b.close();
      }
    });

    it("Express's `trust proxy` off (the default): a forwarded https claim is not believed", async () => {
      const b = await build(express, { session: { production: true } });
      try {
        const reply = await call(b.app, '/set?key=a&value=1', { headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(reply.cookies.length, 0);
        assert.equal(b.warnings.length, 1);
        assert.match(b.warnings[0] as string, /trustProxy: 1/);
      } finally {
        await b.close();
      }
    });

    it("an explicit trustProxy: false wins over Express's `trust proxy`", async () => {
      const b = await build(express, { setup: (app) => app.set('trust proxy', true), session: { production: true, trustProxy: false } });
      try {
        const reply = await call(b.app, '/set?key=a&value=1', { headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(reply.cookies.length, 0);
      } finally {
        await b.close();
      }
    });

    it('a store failure reaches next(err) as a StoreError with status 503 (on load and on commit)', async () => {
      const b = await build(express);
      try {
        const cookie = onlyCookie(await call(b.app, '/set?key=a&value=1'));
        b.store.failure = 'reject';
        const onLoad = await call(b.app, '/read', { cookie: cookieHeader(cookie) });
        const onCommit = await call(b.app, '/set?key=b&value=2');
        b.store.failure = 'hang';
        const onTimeout = await call(b.app, '/read', { cookie: cookieHeader(cookie) });
        for (const reply of [onLoad, onCommit, onTimeout]) assert.equal(reply.status, 503);
        assert.ok(b.errors.length >= 3);
        for (const err of b.errors) {
          assert.ok(err instanceof StoreError, String(err));
          assert.equal(err.status, 503);
          assert.equal(err.statusCode, 503);
        }
        assert.equal((b.errors.at(-1) as StoreError).code, 'ERR_HOLDFAST_STORE_TIMEOUT');
      } finally {
        await b.close();
      }
    });

    it("the app's own cookies are kept next to the session cookie (appended, never replaced)", async () => {
      const b = await build(express, {
        afterSession: (app) =>
          app.get('/theme', (req, res) => {
            res.cookie('theme', 'dark');
            res.append('Set-Cookie', 'lang=en; Path=/');
            (req as unknown as { session: Record<string, unknown> }).session.theme = 'dark';
            res.send('ok');
          }),
      });
      try {
        const reply = await call(b.app, '/theme');
        assert.deepEqual(reply.cookies.map((c) => c.name).sort(), ['lang', 'sid', 'theme']);
        assert.equal(reply.headers['cache-control'], 'no-store');
      } finally {
        await b.close();
      }
    });

    for (const [label, mounts, second] of [
      ['the same middleware mounted twice', 2, false],
      ['a second session middleware instance', 1, true],
    ] as const) {
      it(`${label} is a no-op: one load, one write, one Set-Cookie`, async () => {
        const otherStore = new CountingStore(new MemoryStore({ sweepInterval: 0 }));
        const b = await build(express, {
          mounts,
          afterSession: (app) => {
            if (second) app.use(session({ secrets: OTHER_SECRET, store: otherStore, production: false }) as unknown as RequestHandler);
          },
        });
        try {
          const first = await call(b.app, '/set?key=a&value=1');
          const cookie: SetCookie = onlyCookie(first);
          b.store.reset();
          const again = await call(b.app, '/set?key=b&value=2', { cookie: cookieHeader(cookie) });
          assert.equal(again.cookies.length, 0, 'a change within touchAfter sends no cookie');
          assert.equal(b.store.calls.get, 1);
          assert.equal(b.store.calls.patch, 1);
          const touched = await call(b.app, '/touch', { cookie: cookieHeader(cookie) });
          assert.equal(touched.cookies.length, 1, 'a touch sends the cookie once, not once per mount');
          const read = await call(b.app, '/read', { cookie: cookieHeader(cookie) });
          assert.deepEqual(json(read).data, { a: '1', b: '2' });
          assert.equal(otherStore.total, 0);
        } finally {
          await b.close();
        }
      });
    }
  });
}
