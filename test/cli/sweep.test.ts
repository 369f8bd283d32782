/**
 * `holdfast sweep` as a subprocess against a temp SQLite file and the real PostgreSQL and
 * MariaDB servers (random-prefixed tables, dropped at the end): it removes exactly the expired
 * records, prints how many, never creates a table or a database, and exits 2 on bad usage.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SessionStore } from '../../src/core/store.ts';
import { MysqlStore } from '../../src/stores/mysql/index.ts';
import { PostgresStore } from '../../src/stores/postgres/index.ts';
import { SqliteStore } from '../../src/stores/sqlite/index.ts';
import { fullMeta, randomKey, record } from '../../src/conformance/fixtures.ts';
import { requireService } from '../support/services.ts';

const run = promisify(execFile);
const cli = new URL('../../src/cli/index.ts', import.meta.url).pathname;
const PREFIX = `hf_sweep_${randomBytes(4).toString('hex')}`;
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const MY_URL = 'mysql://root@127.0.0.1:3306/test';

async function holdfast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Three expired and two live records; returns the live keys. */
async function seed(store: SessionStore): Promise<string[]> {
  const now = Date.now();
  for (let i = 0; i < 3; i++) await store.set(randomKey(), record(fullMeta({ expiresAt: now - 60_000 - i }), { a: i }));
  const live = [randomKey(), randomKey()];
  for (const key of live) await store.set(key, record(fullMeta({ expiresAt: now + 3_600_000 }), { a: 'live' }));
  return live;
}

async function assertLive(store: SessionStore, live: string[]): Promise<void> {
  for (const key of live) assert.notEqual(await store.get(key), null, 'a live record survives the sweep');
}

describe('holdfast sweep --store sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-sweep-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('removes the expired records and prints the count', async () => {
    const path = join(dir, 'sessions.sqlite');
    const store = new SqliteStore({ path, sweepInterval: 0 });
    const live = await seed(store);
    await store.close();
    const first = await holdfast('sweep', '--store', 'sqlite', '--path', path);
    assert.deepEqual([first.code, first.stdout], [0, 'removed 3 expired session records\n']);
    const second = await holdfast('sweep', '--store=sqlite', `--path=${path}`);
    assert.equal(second.stdout, 'removed 0 expired session records\n');
    const reopened = new SqliteStore({ path, sweepInterval: 0 });
    await assertLive(reopened, live);
    await reopened.close();
  });

  it('refuses a missing file instead of creating one', async () => {
    const path = join(dir, 'typo.sqlite');
    const result = await holdfast('sweep', '--store', 'sqlite', '--path', path);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no SQLite database at/);
    assert.equal(existsSync(path), false);
  });
});

describe('holdfast sweep usage', () => {
  for (const [args, pattern] of [
    [['sweep'], /needs --store/],
    [['sweep', '--store', 'mongo'], /unknown store "mongo"/],
    [['sweep', '--store', 'sqlite'], /needs --path/],
    [['sweep', '--store', 'postgres'], /needs --url/],
    [['sweep', '--store', 'sqlite', '--path'], /needs a value/],
    [['sweep', 'extra', '--store', 'sqlite'], /unexpected argument/],
  ] as const) {
    it(`exit 2 for ${args.join(' ')}`, async () => {
      const result = await holdfast(...args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, pattern);
    });
  }
});

const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
});

describe('holdfast sweep --store postgres', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  const pool = new pg.Pool({ connectionString: PG_URL });
  const table = `${PREFIX}_pg`;
  after(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.query(`DROP TABLE IF EXISTS "${table}_users"`).catch(() => undefined);
    const { rows } = await pool.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE '${PREFIX}%'`);
    for (const row of rows as { tablename: string }[]) await pool.query(`DROP TABLE IF EXISTS "${row.tablename}"`);
    await pool.end();
  });

  it('removes the expired rows, keeps the live ones', async () => {
    const store = new PostgresStore({ pool, table, sweepInterval: 0 });
    const live = await seed(store);
    const result = await holdfast('sweep', '--store', 'postgres', '--url', PG_URL, '--table', table);
    assert.deepEqual([result.code, result.stdout], [0, 'removed 3 expired session records\n'], result.stderr);
    await assertLive(store, live);
    await store.close();
  });

  it('a missing table is an error (exit 1), not a new table', async () => {
    const result = await holdfast('sweep', '--store', 'postgres', '--url', PG_URL, '--table', `${PREFIX}_missing`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /holdfast sweep: /);
    const { rows } = await pool.query('SELECT 1 FROM pg_tables WHERE tablename = $1', [`${PREFIX}_missing`]);
    assert.equal(rows.length, 0);
  });
});

const myUp = await requireService('MySQL/MariaDB 127.0.0.1:3306', async () => {
  const connection = await mysql.createConnection({ uri: MY_URL, connectTimeout: 2_000 });
  await connection.end();
});

describe('holdfast sweep --store mysql', { skip: !myUp && 'MariaDB is not running' }, () => {
  const pool = mysql.createPool({ uri: MY_URL });
  const table = `${PREFIX}_my`;
  after(async () => {
    await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    await pool.end();
  });

  it('removes the expired rows, keeps the live ones', async () => {
    const store = new MysqlStore({ pool, table, sweepInterval: 0 });
    const live = await seed(store);
    const result = await holdfast('sweep', '--store', 'mysql', '--url', MY_URL, '--table', table);
    assert.deepEqual([result.code, result.stdout], [0, 'removed 3 expired session records\n'], result.stderr);
    await assertLive(store, live);
    await store.close();
  });

  it('a bad URL is an error (exit 1)', async () => {
    const result = await holdfast('sweep', '--store', 'mysql', '--url', 'mysql://root@127.0.0.1:1/test', '--table', table);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /holdfast sweep: /);
  });
});
