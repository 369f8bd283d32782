/**
 * Token conformance on PostgreSQL (127.0.0.1:5432) and MariaDB/MySQL (127.0.0.1:3306), each in
 * tables with a random prefix dropped at the end, plus what only a real server shows: tables made
 * by createTokenTableSql() with createTable: false, garbage rows, and a missing table as StoreError.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { ConfigError, StoreError } from '../../src/core/errors.ts';
import { createTokenTableSql as mysqlDdl, MysqlTokenStore } from '../../src/stores/mysql/index.ts';
import { createTokenTableSql as pgDdl, PostgresTokenStore } from '../../src/stores/postgres/index.ts';
import type { TokenFamily } from '../../src/tokens/store.ts';
import { runTokenStoreConformance } from './token-store-conformance.ts';
import { requireService } from '../support/services.ts';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const MY = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', charset: 'utf8mb4' };
const PREFIX = `hf_tok_${randomBytes(4).toString('hex')}`;

const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
});
const myUp = await requireService('MySQL/MariaDB 127.0.0.1:3306', async () => {
  const connection = await mysql.createConnection({ ...MY, connectTimeout: 2_000 });
  await connection.end();
});

const now = Date.now();
const family = (handle: string): TokenFamily => ({
  handle,
  userId: 'u',
  gen: 0,
  createdAt: now,
  usedAt: now,
  expiresAt: now + 60_000,
  rotatedAt: null,
  revokedAt: null,
  claims: '{}',
});

describe('PostgresTokenStore', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  const pools: pg.Pool[] = [];
  const newPool = (): pg.Pool => {
    const pool = new pg.Pool({ ...PG, max: 10 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  const admin = pgUp ? newPool() : undefined;
  after(async () => {
    if (admin !== undefined) {
      const { rows } = await admin.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '${PREFIX}%'`);
      for (const row of rows as { tablename: string }[]) await admin.query(`DROP TABLE IF EXISTS "${row.tablename}"`);
    }
    await Promise.all(pools.map((p) => p.end()));
  });

  runTokenStoreConformance('PostgresTokenStore', {
    create: async () => new PostgresTokenStore({ pool: newPool(), table: `${PREFIX}_families`, sweepInterval: 0 }),
    teardown: async (store) => store.close?.(),
  });

  it('createTokenTableSql + createTable: false; garbage rows and a missing table are StoreErrors; sweep', async () => {
    const table = `${PREFIX}_own`;
    await admin!.query(pgDdl(table));
    await admin!.query(pgDdl(table));
    const store = new PostgresTokenStore({ pool: admin!, table, createTable: false, sweepInterval: 0 });
    const handle = 'p'.repeat(22);
    await store.create(family(handle));
    assert.equal((await store.get(handle))?.gen, 0);
    await admin!.query(`UPDATE "${table}" SET gen = -3 WHERE handle = $1`, [handle]);
    await assert.rejects(store.get(handle), StoreError);
    assert.equal(await store.sweep(now + 60_000), 1);
    const missing = new PostgresTokenStore({ pool: admin!, table: `${PREFIX}_never`, createTable: false, sweepInterval: 0 });
    await assert.rejects(missing.get(handle), (e: unknown) => e instanceof StoreError && /42P01/.test((e as Error).message));
    assert.throws(() => new PostgresTokenStore({ pool: admin!, table: 'bad-name' }), ConfigError);
    assert.throws(() => new PostgresTokenStore({} as never), ConfigError);
  });
});

describe('MysqlTokenStore', { skip: !myUp && 'MySQL/MariaDB is not running' }, () => {
  const pools: mysql.Pool[] = [];
  const newPool = (): mysql.Pool => {
    const pool = mysql.createPool({ ...MY, connectionLimit: 10 });
    pools.push(pool);
    return pool;
  };
  const admin = myUp ? newPool() : undefined;
  after(async () => {
    if (admin !== undefined) {
      const [rows] = await admin.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?', [`${PREFIX}%`]);
      for (const row of rows as { t: string }[]) await admin.query(`DROP TABLE IF EXISTS \`${row.t}\``);
    }
    await Promise.all(pools.map((p) => p.end()));
  });

  runTokenStoreConformance('MysqlTokenStore', {
    create: async () => new MysqlTokenStore({ pool: newPool(), table: `${PREFIX}_families`, sweepInterval: 0 }),
    teardown: async (store) => store.close?.(),
  });

  it('createTokenTableSql + createTable: false; garbage rows and a missing table are StoreErrors; sweep', async () => {
    const table = `${PREFIX}_own`;
    await admin!.query(mysqlDdl(table));
    await admin!.query(mysqlDdl(table));
    const store = new MysqlTokenStore({ pool: admin!, table, createTable: false, sweepInterval: 0 });
    const handle = 'm'.repeat(22);
    await store.create(family(handle));
    assert.equal((await store.get(handle))?.gen, 0);
    assert.equal(await store.get(handle.toUpperCase()), null, 'handles compare case-sensitively');
    await admin!.query(`UPDATE \`${table}\` SET claims = 7, gen = -1 WHERE handle = ?`, [handle]);
    await assert.rejects(store.get(handle), StoreError);
    assert.equal(await store.sweep(now + 60_000), 1);
    const missing = new MysqlTokenStore({ pool: admin!, table: `${PREFIX}_never`, createTable: false, sweepInterval: 0 });
    await assert.rejects(missing.get(handle), StoreError);
    assert.throws(() => new MysqlTokenStore({ pool: admin!, table: 'bad-name' }), ConfigError);
    assert.throws(() => new MysqlTokenStore({} as never), ConfigError);
  });
});
