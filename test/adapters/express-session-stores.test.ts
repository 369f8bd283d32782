/**
 * The drop-in on the stores people already run: connect-redis 9 (node-redis 5 client, Redis at
 * 127.0.0.1:6379, a unique key prefix removed afterwards) and connect-pg-simple 10 (PostgreSQL at
 * 127.0.0.1:5432, user postgres, db test, its own table dropped afterwards). Records written by
 * express-session are read by the drop-in and the other way round; read-only requests do not
 * write; a store that fails answers 503.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RedisStore } from 'connect-redis';
import pg from 'pg';
import { createClient } from 'redis';
import { requireService } from '../support/services.ts';
import { Client, counting, dropIn, realSession, json, SECRET, sessionLine, startApp, recordingLogger, type Counting, type Impl, type RunningApp } from './express-session-harness.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

const redisUp = await requireService('Redis 127.0.0.1:6379', async () => {
  const c = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  c.on('error', () => undefined);
  await c.connect();
  await c.ping();
  await c.close();
});
const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const c = new pg.Client({ ...PG, connectionTimeoutMillis: 2_000 });
  await c.connect();
  await c.query('SELECT 1');
  await c.end();
});

// connect-pg-simple ships no type declarations.
const PG_SIMPLE: string = 'connect-pg-simple';
type PgStoreClass = new (options: object) => object & { close(): Promise<void> };
const connectPgSimple = ((await import(PG_SIMPLE)) as { default: (s: unknown) => PgStoreClass }).default;

const servers: RunningApp[] = [];
after(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function app(impl: Impl, store: object, options: Record<string, unknown> = {}): Promise<RunningApp> {
  const extra = impl === 'holdfast' ? { logger: recordingLogger() } : {};
  const running = await startApp({ impl, options: { secret: SECRET, resave: false, saveUninitialized: false, store, ...extra, ...options } });
  servers.push(running);
  return running;
}

/** The checks every real store goes through; `stored(id)` reads the raw record, null when absent. */
function storeSuite(
  makeStore: () => Promise<object>,
  stored: (id: string) => Promise<Record<string, unknown> | null>,
  makeTheirStore: () => Promise<object> = makeStore,
): void {
  it('a session written by express-session is read, updated and destroyed by the drop-in', async () => {
    const theirs = new Client(await app('express-session', await makeTheirStore(), { cookie: { maxAge: 600_000 } }));
    await theirs.get('/set?k=user&v=ada');
    const id = theirs.id as string;
    assert.equal((await stored(id))?.user, 'ada');

    const ours = new Client(await app('holdfast', await makeStore(), { cookie: { maxAge: 600_000 } }));
    ours.cookie = theirs.cookie;
    assert.deepEqual(json(await ours.get('/read')).data, { user: 'ada' });
    await ours.get('/push?v=1');
    assert.deepEqual((await stored(id))?.list, ['1']);
    theirs.cookie = ours.cookie;
    assert.deepEqual(json(await theirs.get('/read')).data, { user: 'ada', list: ['1'] });

    const res = await ours.get('/destroy');
    assert.match(sessionLine(res) ?? '', /Expires=Thu, 01 Jan 1970/);
    assert.equal(await stored(id), null);
  });

  it('regenerate: the old record is gone, the new one holds the data', async () => {
    const store = await makeStore();
    const c = new Client(await app('holdfast', store));
    await c.get('/set?k=cart&v=1');
    const before = c.id as string;
    await c.get('/regenerate?user=ada');
    assert.notEqual(c.id, before);
    assert.equal(await stored(before), null);
    assert.equal((await stored(c.id as string))?.user, 'ada');
  });

  it('read-only requests do not write; store.touch at most once per touchAfter; writes write once', async () => {
    const store = counting(await makeStore()) as object & Counting;
    const c = new Client(await app('holdfast', store, { cookie: { maxAge: 600_000 } }));
    await c.get('/set?k=user&v=ada');
    store.reset();
    for (let i = 0; i < 5; i++) assert.deepEqual(json(await c.get('/read')).data, { user: 'ada' });
    assert.deepEqual(store.counts, { get: 5, set: 0, destroy: 0, touch: 0 });
    await c.get('/set?k=user&v=bob');
    assert.equal(store.counts.set, 1);
    assert.equal((await stored(c.id as string))?.user, 'bob');
  });

  it('with touchAfter: false every read-only request touches (express-session behaviour)', async () => {
    const store = counting(await makeStore()) as object & Counting;
    const c = new Client(await app('holdfast', store, { touchAfter: false, cookie: { maxAge: 600_000 } }));
    await c.get('/set?k=user&v=ada');
    store.reset();
    await c.get('/read');
    await c.get('/read');
    assert.equal(store.counts.touch, 2);
  });
}

describe('connect-redis 9 on node-redis 5', { skip: !redisUp && 'Redis is not running' }, () => {
  const prefix = `hf-es-${randomBytes(4).toString('hex')}:`;
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => undefined);

  before(async () => {
    await client.connect();
  });
  after(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });

  storeSuite(
    async () => new RedisStore({ client, prefix }),
    async (id) => {
      const raw = await client.get(`${prefix}${id}`);
      return raw === null ? null : (JSON.parse(raw) as Record<string, unknown>);
    },
  );

  it('the record TTL follows cookie.maxAge, as with express-session', async () => {
    const c = new Client(await app('holdfast', new RedisStore({ client, prefix }), { cookie: { maxAge: 120_000 } }));
    await c.get('/set?k=user&v=ada');
    const ttl = await client.ttl(`${prefix}${c.id}`);
    assert.ok(ttl > 100 && ttl <= 120, `ttl ${ttl}`);
  });

  it('a closed Redis client: 503 through the error handler, not a hang', async () => {
    const dead = createClient({ url: REDIS_URL });
    dead.on('error', () => undefined);
    await dead.connect();
    const store = new RedisStore({ client: dead, prefix });
    const c = new Client(await app('holdfast', store, { storeTimeout: 1_000 }));
    await c.get('/set?k=user&v=ada');
    dead.destroy();
    const res = await c.get('/read');
    assert.equal(res.status, 503);
    const write = await new Client(await app('holdfast', store, { storeTimeout: 1_000 })).get('/set?k=user&v=bob');
    assert.equal(write.status, 503);
  });
});

describe('connect-pg-simple 10', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  const table = `hf_es_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool(PG);
  pool.on('error', () => undefined);
  const stores: Array<{ close(): Promise<void> }> = [];
  // connect-pg-simple is handed the drop-in's default export, as an app switching over does.
  const PGStoreOurs = connectPgSimple(dropIn);
  const PGStoreTheirs = connectPgSimple(realSession);

  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  });

  before(async () => {
    // connect-pg-simple's table.sql names its key "session_pkey", which clashes between tables: make ours.
    await pool.query(`CREATE TABLE IF NOT EXISTS "${table}" (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`);
  });

  storeSuite(
    async () => {
      const store = new PGStoreOurs({ pool, tableName: table, pruneSessionInterval: false });
      stores.push(store);
      return store;
    },
    async (id) => {
      const { rows } = await pool.query(`SELECT sess FROM "${table}" WHERE sid = $1`, [id]);
      return rows.length === 0 ? null : (rows[0] as { sess: Record<string, unknown> }).sess;
    },
    async () => {
      const store = new PGStoreTheirs({ pool, tableName: table, pruneSessionInterval: false });
      stores.push(store);
      return store;
    },
  );

  it('a failing query: 503', async () => {
    const broken = new pg.Pool({ ...PG, database: 'no_such_database_hf' });
    broken.on('error', () => undefined);
    const store = new PGStoreOurs({ pool: broken, tableName: table, pruneSessionInterval: false, errorLog: () => undefined });
    stores.push(store);
    const res = await new Client(await app('holdfast', store)).get('/set?k=user&v=ada');
    assert.equal(res.status, 503);
    await broken.end();
  });
});
