/**
 * The req.session API of the drop-in (callbacks as in express-session, promises when no callback
 * is given), the exported classes (Session, Store, MemoryStore) and the ways connect-* stores
 * subclass Store.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { inherits } from 'node:util';
import express, { type Request, type RequestHandler, type Response } from 'express';
import pg from 'pg';
import session, { MemoryStore, Session, Store } from '../../src/adapters/express-session/index.ts';
import type { ExpressSessionOptions, StoreCallback } from '../../src/adapters/express-session/index.ts';
import { StoreError } from '../../src/core/errors.ts';
import { counting, realSession, recordingLogger, SECRET } from './express-session-harness.ts';

type Sess = Session;

// connect-pg-simple ships no type declarations.
const PG_SIMPLE: string = 'connect-pg-simple';
const connectPgSimple = ((await import(PG_SIMPLE)) as { default: (s: unknown) => new (options: object) => Store & { close(): Promise<void> } }).default;
type Req = Request & { session: Sess; sessionID: string; sessionStore: Store };
type Route = (req: Req, res: Response) => unknown;

const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
});

/** An app with the drop-in and the given routes; returns a fetch helper with a cookie jar. */
async function serve(options: Partial<ExpressSessionOptions>, routes: Record<string, Route>) {
  const app = express();
  app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, logger: recordingLogger(), ...options }) as RequestHandler);
  for (const [path, fn] of Object.entries(routes)) {
    app.get(path, (req, res, next) => {
      Promise.resolve()
        .then(() => fn(req as Req, res))
        .catch(next);
    });
  }
  app.use((err: { status?: number; message?: string }, _req: Request, res: Response, _next: unknown) => {
    res.status(err.status ?? 500).send(`error: ${err.message}`);
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  let cookie: string | undefined;
  return async (path: string): Promise<{ status: number; body: string; setCookie: string[] }> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: cookie ? { cookie } : {} });
    const setCookie = res.headers.getSetCookie();
    const line = setCookie.find((c) => c.startsWith('connect.sid='));
    if (line) cookie = /Expires=Thu, 01 Jan 1970/.test(line) ? undefined : line.split(';')[0];
    return { status: res.status, body: await res.text(), setCookie };
  };
}

describe('req.session methods: callbacks and promises', () => {
  it('with a callback they return the session (chaining), without one a promise', async () => {
    const get = await serve({}, {
      '/': (req, res) => {
        const s = req.session;
        s.a = 1;
        const same = s.save(() => {
          const p = s.save();
          assert.ok(p instanceof Promise);
          p.then(() => res.json({ chained: same === s, touch: s.touch() === s, reset: s.resetMaxAge() === s }), (e: unknown) => res.status(500).send(String(e)));
        });
      },
    });
    assert.deepEqual(JSON.parse((await get('/')).body), { chained: true, touch: true, reset: true });
  });

  it('await regenerate() / save() / reload() / destroy()', async () => {
    const store = new MemoryStore();
    const get = await serve({ store }, {
      '/login': async (req, res) => {
        req.session.cart = ['x'];
        const before = req.sessionID;
        await req.session.regenerate();
        req.session.user = 'ada';
        await req.session.save();
        res.json({ changed: req.sessionID !== before, cart: req.session.cart ?? null });
      },
      '/reload': async (req, res) => {
        const raw = JSON.parse(store.sessions[req.sessionID] as string) as Record<string, unknown>;
        raw.user = 'changed elsewhere';
        store.sessions[req.sessionID] = JSON.stringify(raw);
        await req.session.reload();
        res.json({ user: req.session.user });
      },
      '/logout': async (req, res) => {
        const id = req.sessionID;
        await req.session.destroy();
        res.json({ gone: store.sessions[id] === undefined, session: (req as { session?: unknown }).session === undefined });
      },
    });
    assert.deepEqual(JSON.parse((await get('/login')).body), { changed: true, cart: null });
    assert.deepEqual(JSON.parse((await get('/reload')).body), { user: 'changed elsewhere' });
    const out = await get('/logout');
    assert.deepEqual(JSON.parse(out.body), { gone: true, session: true });
    assert.match(out.setCookie[0] ?? '', /^connect\.sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
  });

  it('a failing store: the promise rejects with a StoreError (503), the callback gets it', async () => {
    const store = counting(new MemoryStore());
    const get = await serve({ store }, {
      '/promise': async (req, res) => {
        const s: Session = req.session;
        s.a = 1;
        store.failNext.add('set');
        const error = await s.save().then(() => undefined, (e: unknown) => e);
        res.json({ isStoreError: error instanceof StoreError, status: (error as StoreError).status });
      },
      '/callback': (req, res) => {
        req.session.a = 2;
        store.failNext.add('set');
        req.session.save((err) => res.json({ isStoreError: err instanceof StoreError }));
      },
      '/reload-missing': (req, res) => {
        req.sessionStore.destroy(req.sessionID, () => {
          req.session.reload((err) => res.json({ message: (err as Error).message }));
        });
      },
    });
    assert.deepEqual(JSON.parse((await get('/promise')).body), { isStoreError: true, status: 503 });
    assert.deepEqual(JSON.parse((await get('/callback')).body), { isStoreError: true });
    assert.deepEqual(JSON.parse((await get('/reload-missing')).body), { message: 'failed to load session' });
  });

  it('a save() nobody awaits that fails is no unhandled rejection, and the end of the request saves again', async () => {
    const store = counting(new MemoryStore());
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const get = await serve({ store }, {
        '/': (req, res) => {
          req.session.a = 1;
          store.failNext.add('set');
          void req.session.save();
          res.send('ok');
        },
        '/read': (req, res) => res.json({ a: req.session.a ?? null }),
      });
      assert.equal((await get('/')).status, 200);
      assert.equal(store.counts.set, 2, 'the failed save, then the end-of-request save');
      assert.deepEqual(JSON.parse((await get('/read')).body), { a: 1 });
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a write started without waiting (save() then res.end) is finished before the response ends', async () => {
    const store = new MemoryStore();
    const slowSet = store.set.bind(store);
    store.set = (sid: string, sess: object, cb?: StoreCallback) => {
      setTimeout(() => slowSet(sid, sess, cb), 50);
    };
    const get = await serve({ store, saveUninitialized: true }, {
      '/': (req, res) => {
        req.session.a = 1;
        req.session.save();
        res.send('ok');
      },
    });
    await get('/');
    assert.equal(Object.keys(store.sessions).length, 1, 'written by the time the response arrived');
  });

  it('what a callback throws goes to the error handler instead of crashing or vanishing', async () => {
    const get = await serve({}, {
      '/': (req) => {
        req.session.a = 1;
        req.session.save(() => {
          throw new Error('boom in callback');
        });
      },
    });
    const res = await get('/');
    assert.equal(res.status, 500);
    assert.match(res.body, /boom in callback/);
  });
});

describe('req.session, req.sessionID, req.sessionStore, req.session.cookie', () => {
  it('look like express-session\'s', async () => {
    const store = new MemoryStore();
    const get = await serve({ store, cookie: { maxAge: 60_000 } }, {
      '/': (req, res) => {
        const s = req.session;
        s.user = 'ada';
        res.json({
          isSession: s instanceof Session,
          id: s.id === req.sessionID,
          keys: Object.keys(s),
          enumerableReq: Object.prototype.propertyIsEnumerable.call(s, 'req'),
          json: Object.keys(JSON.parse(JSON.stringify(s)) as object),
          store: req.sessionStore === store,
          maxAge: typeof s.cookie.maxAge === 'number' && s.cookie.maxAge > 59_000 && s.cookie.maxAge <= 60_000,
          originalMaxAge: s.cookie.originalMaxAge,
          expires: s.cookie.expires instanceof Date,
          serialize: s.cookie.serialize('n', 'v').startsWith('n=v; Path=/; Expires='),
        });
      },
    });
    assert.deepEqual(JSON.parse((await get('/')).body), {
      isSession: true,
      id: true,
      keys: ['cookie', 'user'],
      enumerableReq: false,
      json: ['cookie', 'user'],
      store: true,
      maxAge: true,
      originalMaxAge: 60_000,
      expires: true,
      serialize: true,
    });
  });

  it('reading req.sessionID on an anonymous request gives an ID but stores and sends nothing', async () => {
    const store = counting(new MemoryStore());
    const get = await serve({ store }, { '/': (req, res) => res.json({ id: typeof req.sessionID === 'string' && req.sessionID.length === 32 }) });
    const res = await get('/');
    assert.deepEqual(JSON.parse(res.body), { id: true });
    assert.deepEqual(res.setCookie, []);
    assert.equal(store.counts.set, 0);
  });

  it("req.sessionStore.generate(req) makes a new session, as express-session's does", async () => {
    const get = await serve({}, {
      '/': (req, res) => {
        req.session.a = 1;
        res.send('ok');
      },
      '/generate': (req, res) => {
        const before = req.sessionID;
        (req.sessionStore as Store & { generate(r: unknown): void }).generate(req);
        res.json({ newId: req.sessionID !== before, data: req.session.a ?? null });
      },
    });
    await get('/');
    const res = await get('/generate');
    assert.deepEqual(JSON.parse(res.body), { newId: true, data: null });
    assert.equal(res.setCookie.length, 1, 'the new session is sent (a new ID is a change)');
  });

  it("a store.get error with code 'ENOENT' (file stores: not found) means no session, as in express-session", async () => {
    const store = new MemoryStore();
    const get = await serve({ store }, {
      '/': (req, res) => {
        req.session.a = 1;
        res.send('ok');
      },
      '/read': (req, res) => res.json({ a: req.session.a ?? null }),
    });
    await get('/');
    store.get = (_sid: string, cb: StoreCallback) => setImmediate(cb, Object.assign(new Error('no such file'), { code: 'ENOENT' }));
    const res = await get('/read');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { a: null });
  });

  it('a second session middleware on the same request steps aside', async () => {
    const app = express();
    const store = counting(new MemoryStore());
    app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, store, logger: recordingLogger() }) as RequestHandler);
    app.use(session({ secret: 'other-secret-other-secret-other-secret', resave: false, saveUninitialized: false, store, logger: recordingLogger() }) as RequestHandler);
    app.get('/', (req, res) => {
      (req as Req).session.a = 1;
      res.send('ok');
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(res.headers.getSetCookie().length, 1);
    assert.equal(store.counts.set, 1);
  });
});

describe('Store: the ways stores subclass it', () => {
  /** A tiny Map store written the modern way. */
  class MapStore extends Store {
    readonly map = new Map<string, string>();
    get(sid: string, cb: StoreCallback): void {
      const raw = this.map.get(sid);
      setImmediate(cb, null, raw === undefined ? null : JSON.parse(raw));
    }
    set(sid: string, sess: object, cb?: StoreCallback): void {
      this.map.set(sid, JSON.stringify(sess));
      if (cb) setImmediate(cb);
    }
    destroy(sid: string, cb?: StoreCallback): void {
      this.map.delete(sid);
      if (cb) setImmediate(cb);
    }
  }

  it('class X extends Store: an EventEmitter with regenerate/load/createSession, usable as the store', async () => {
    const store = new MapStore();
    assert.ok(store instanceof EventEmitter);
    assert.equal(typeof store.regenerate, 'function');
    const get = await serve({ store }, {
      '/': (req, res) => {
        req.session.user = 'ada';
        res.send(req.sessionID);
      },
    });
    const id = (await get('/')).body;
    assert.deepEqual(JSON.parse(store.map.get(id) as string).user, 'ada');
    const loaded = await new Promise<Session | undefined>((resolve, reject) => store.load(id, (err, s) => (err ? reject(err) : resolve(s))));
    assert.ok(loaded instanceof Session);
    assert.equal(loaded.id, id);
    assert.equal((loaded as Sess).user, 'ada');
    assert.equal(typeof loaded.cookie.serialize, 'function');
    // a Session made by Store#load saves through the store
    (loaded as Sess).user = 'bob';
    await loaded.save();
    assert.equal(JSON.parse(store.map.get(id) as string).user, 'bob');
  });

  it('function OldStore() { Store.call(this) } + util.inherits (connect-redis 3-5 era)', async () => {
    interface OldStore extends Store {
      data: Record<string, string>;
    }
    const OldStore = function (this: OldStore) {
      (Store as unknown as { call(self: unknown): void }).call(this);
      this.data = {};
    } as unknown as { new (): OldStore; prototype: OldStore };
    inherits(OldStore as unknown as new () => unknown, Store as unknown as new () => unknown);
    OldStore.prototype.get = function (this: OldStore, sid: string, cb: StoreCallback) {
      const raw = this.data[sid];
      setImmediate(cb, null, raw ? JSON.parse(raw) : undefined);
    };
    OldStore.prototype.set = function (this: OldStore, sid: string, sess: object, cb?: StoreCallback) {
      this.data[sid] = JSON.stringify(sess);
      cb?.();
    };
    OldStore.prototype.destroy = function (this: OldStore, sid: string, cb?: StoreCallback) {
      delete this.data[sid];
      cb?.();
    };
    const store = new OldStore();
    assert.ok(store instanceof Store && store instanceof EventEmitter);
    const get = await serve({ store }, {
      '/': (req, res) => {
        req.session.n = ((req.session.n as number | undefined) ?? 0) + 1;
        res.send(String(req.session.n));
      },
    });
    assert.equal((await get('/')).body, '1');
    assert.equal((await get('/')).body, '2');
  });

  it('connect-pg-simple(session) and the connect-redis 6 factory pattern build on session.Store', async () => {
    const PGStore = connectPgSimple(session);
    const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    const pgStore = new PGStore({ pool, pruneSessionInterval: false, createTableIfMissing: false });
    assert.ok(pgStore instanceof Store);
    await pgStore.close();
    await pool.end();

    const factory = (s: { Store: typeof Store }) =>
      class RedisLikeStore extends s.Store {
        constructor(options: { prefix?: string } = {}) {
          super(options);
          this.prefix = options.prefix ?? 'sess:';
        }
        prefix: string;
        get(_sid: string, cb: StoreCallback) {
          setImmediate(cb, null, null);
        }
        set(_sid: string, _sess: object, cb?: StoreCallback) {
          cb?.();
        }
        destroy(_sid: string, cb?: StoreCallback) {
          cb?.();
        }
      };
    const RedisLikeStore = factory(session);
    const store = new RedisLikeStore({ prefix: 'x:' });
    assert.ok(store instanceof Store);
    assert.equal(store.prefix, 'x:');
  });
});

describe('MemoryStore', () => {
  const call = <T,>(fn: (cb: StoreCallback) => void) =>
    new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  const record = (extra: Record<string, unknown> = {}, expires: Date | null = null) => ({
    cookie: { originalMaxAge: null, expires, httpOnly: true, path: '/' },
    ...extra,
  });

  it("stores what express-session's MemoryStore stores, with the same methods", async () => {
    const ours = new MemoryStore();
    const theirs = new realSession.MemoryStore() as unknown as MemoryStore;
    for (const store of [ours, theirs]) {
      await call((cb) => store.set('a', record({ user: 'ada' }), cb));
      await call((cb) => store.set('b', record({ user: 'bob' }), cb));
      await call((cb) => store.destroy('b', cb));
    }
    assert.deepEqual({ ...ours.sessions }, { ...theirs.sessions });
    assert.deepEqual(await call((cb) => ours.get('a', cb)), await call((cb) => theirs.get('a', cb)));
    assert.deepEqual(await call((cb) => ours.all(cb)), await call((cb) => theirs.all!(cb)));
    assert.equal(await call((cb) => ours.length(cb)), 1);
    const later = new Date(Date.now() + 60_000);
    await call((cb) => ours.touch('a', record({}, later), cb));
    assert.equal((JSON.parse(ours.sessions.a as string) as { cookie: { expires: string } }).cookie.expires, later.toISOString());
    assert.equal((JSON.parse(ours.sessions.a as string) as { user: string }).user, 'ada', 'touch keeps the data');
    await call((cb) => ours.clear(cb));
    assert.equal(await call((cb) => ours.length(cb)), 0);
  });

  it('drops expired records on read, and sweeps them on writes', async () => {
    const store = new MemoryStore();
    await call((cb) => store.set('old', record({}, new Date(Date.now() - 1000)), cb));
    assert.equal(await call((cb) => store.get('old', cb)), undefined);
    assert.equal(store.sessions.old, undefined);
    for (let i = 0; i < 10; i++) store.set(`dead${i}`, record({}, new Date(Date.now() - 1000)));
    for (let i = 0; i < 1000; i++) store.set('live', record());
    assert.deepEqual(Object.keys(store.sessions), ['live']);
  });

  it('holds at most maxSessions records, dropping the least recently written', async () => {
    const store = new MemoryStore({ maxSessions: 3 });
    for (const id of ['a', 'b', 'c']) store.set(id, record());
    store.set('a', record({ again: true }));
    store.set('d', record());
    assert.deepEqual(Object.keys(store.sessions).sort(), ['a', 'c', 'd']);
    assert.throws(() => new MemoryStore({ maxSessions: 0 }), TypeError);
  });
});
