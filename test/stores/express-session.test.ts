/**
 * ExpressSessionStoreBridge: the conformance suite over express-session's MemoryStore, a
 * promise-only store, real connect-redis (node-redis v5, 127.0.0.1:6379) and real
 * connect-pg-simple (pg, 127.0.0.1:5432, its table created and dropped here).
 * The bridge's own behaviour (documents, garbage, timeouts, index upkeep) is in
 * express-session-bridge.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, describe } from 'node:test';
import session from 'express-session';
import { RedisStore as ConnectRedis } from 'connect-redis';
import pg from 'pg';
import { createClient } from 'redis';
import { fromExpressSessionStore, type ExpressSessionStoreLike } from '../../src/stores/express-session/index.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { requireService } from '../support/services.ts';

const TAG = randomBytes(5).toString('hex');

runStoreConformance('ExpressSessionStoreBridge (express-session MemoryStore)', {
  create: async () => fromExpressSessionStore(new session.MemoryStore()),
  nativeTtl: true,
});

runStoreConformance('ExpressSessionStoreBridge (MemoryStore, maxRecordBytes 4096)', {
  create: async () => fromExpressSessionStore(new session.MemoryStore(), { maxRecordBytes: 4096 }),
  nativeTtl: true,
  maxRecordBytes: 4096,
});

/** A store written with promises only: every method ignores the callback it is given. */
function promiseOnlyStore(): ExpressSessionStoreLike {
  const inner = new session.MemoryStore();
  const get = promisify(inner.get.bind(inner));
  const set = promisify(inner.set.bind(inner));
  const destroy = promisify(inner.destroy.bind(inner));
  return {
    get: (sid: string) => get(sid),
    set: (sid: string, sess: never) => set(sid, sess),
    destroy: (sid: string) => destroy(sid),
  };
}

runStoreConformance('ExpressSessionStoreBridge (promise-only store)', {
  create: async () => fromExpressSessionStore(promiseOnlyStore()),
  nativeTtl: true,
});

// ---- connect-redis on the real Redis ----------------------------------------------------------

type NodeRedis = ReturnType<typeof createClient>;
const redisPrefix = `hf-es-${TAG}:`;

const redisUp = await requireService('Redis 127.0.0.1:6379', async () => {
  const client = createClient({ url: 'redis://127.0.0.1:6379', socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.ping();
  } finally {
    await client.close();
  }
});

describe('connect-redis (node-redis v5)', { skip: !redisUp && 'Redis is not running' }, () => {
  const clients: NodeRedis[] = [];
  after(async () => {
    const [client] = clients;
    if (client !== undefined) {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 500 })) keys.push(...batch);
      if (keys.length > 0) await client.del(keys);
    }
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  runStoreConformance('ExpressSessionStoreBridge (connect-redis)', {
    create: async () => {
      const client = createClient({ url: 'redis://127.0.0.1:6379' });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return fromExpressSessionStore(new ConnectRedis({ client, prefix: redisPrefix }));
    },
    nativeTtl: true,
  });
});

// ---- connect-pg-simple on the real PostgreSQL ----------------------------------------------------

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const pgTable = `hf_es_${TAG}`;

const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
});

type PgSimpleFactory = (s: typeof session) => new (options: Record<string, unknown>) => ExpressSessionStoreLike & { close(): Promise<void> };

describe('connect-pg-simple (pg Pool)', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  const pool = pgUp ? new pg.Pool(PG) : undefined;
  pool?.on('error', () => undefined);
  after(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP TABLE IF EXISTS "${pgTable}"`);
    await pool.end();
  });

  runStoreConformance('ExpressSessionStoreBridge (connect-pg-simple)', {
    create: async () => {
      // connect-pg-simple's own table definition (table.sql), under a name only this run uses.
      await pool!.query(`CREATE TABLE "${pgTable}" ("sid" varchar NOT NULL COLLATE "default" PRIMARY KEY, "sess" json NOT NULL, "expire" timestamp(6) NOT NULL)`);
      await pool!.query(`CREATE INDEX "${pgTable}_expire" ON "${pgTable}" ("expire")`);
      const module = (await import('connect-pg-simple' as string)) as { default: PgSimpleFactory };
      const PgStore = module.default(session);
      const wrapped = new PgStore({ pool, tableName: pgTable, pruneSessionInterval: false });
      return fromExpressSessionStore(wrapped);
    },
    teardown: async (store) => {
      await (store as unknown as { wrapped: { close(): Promise<void> } }).wrapped.close();
    },
    nativeTtl: true,
  });
});
