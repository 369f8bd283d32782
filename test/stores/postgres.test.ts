/**
 * PostgresStore against the real server on 127.0.0.1:5432 (trust auth, database `test`): the
 * conformance suite plus what only a real server shows — table creation races, garbage rows,
 * batched sweeps and a connection killed under the store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigError, RecordTooLargeError, StoreError } from '../../src/core/errors.ts';
import { encodedDataBytes } from '../../src/core/record-codec.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createTableSql, PostgresStore } from '../../src/stores/postgres/index.ts';
import type { PgQueryable } from '../../src/stores/postgres/index.ts';
import { data, entriesOf, fullMeta, randomKey, randomUser, record, sleep } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { requireService } from '../support/services.ts';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
/** Every table and schema this file makes starts with this, and is dropped at the end. */
const PREFIX = `hf_pg_${randomBytes(4).toString('hex')}`;

const up = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ ...CONNECTION, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
});

const pools: pg.Pool[] = [];
/** A pool that is ended after the file; idle-client errors (killed backends) are expected. */
function newPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ ...CONNECTION, ...options });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

const isStoreError = (error: unknown): boolean => {
  assert.ok(error instanceof StoreError, `expected StoreError, got ${String(error)}`);
  return true;
};

describe('PostgresStore', { skip: !up && 'PostgreSQL is not running' }, () => {
  const admin = up ? newPool() : undefined;
  const sql = (text: string, values?: unknown[]): Promise<pg.QueryResult> => admin!.query(text, values);
  const table = `${PREFIX}_sessions`;

  after(async () => {
    if (admin !== undefined) {
      const { rows } = await sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '${PREFIX}%'`);
      for (const row of rows as { tablename: string }[]) await sql(`DROP TABLE IF EXISTS "${row.tablename}"`);
      await sql(`DROP SCHEMA IF EXISTS "${PREFIX}_schema" CASCADE`);
    }
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  runStoreConformance('PostgresStore', {
    create: async () => new PostgresStore({ pool: newPool(), table, sweepInterval: 0 }),
    teardown: async (store) => store.close?.(),
  });

  runStoreConformance('PostgresStore (maxRecordBytes 4096)', {
    create: async () => new PostgresStore({ pool: newPool(), table: `${PREFIX}_small`, maxRecordBytes: 4096, sweepInterval: 0 }),
    teardown: async (store) => store.close?.(),
    maxRecordBytes: 4096,
  });

  describe('PostgresStore specifics', () => {
    let pool: pg.Pool;
    let store: PostgresStore;
    before(() => {
      pool = newPool();
      store = new PostgresStore({ pool, table, sweepInterval: 0 });
    });
    after(() => store.close());

    it('refuses bad options with ConfigError', () => {
      const bad: unknown[] = [
        {},
        { pool: {} },
        { pool, table: 'bad-name' },
        { pool, table: 'x; DROP TABLE y' },
        { pool, table: '"quoted"' },
        { pool, table: '1abc' },
        { pool, table: 'a'.repeat(49) },
        { pool, table: 'ok', schema: 'no.dots' },
        { pool, maxRecordBytes: 0 },
        { pool, sweepBatch: 0 },
        { pool, sweepInterval: -1 },
      ];
      for (const [i, options] of bad.entries()) {
        assert.throws(() => new PostgresStore(options as never), ConfigError, `bad options #${i}`);
      }
      assert.throws(() => createTableSql('drop table x'), ConfigError);
    });

    it('createTableSql() makes a table a store with createTable: false works on (schema too)', async () => {
      const own = `${PREFIX}_migrated`;
      const schema = `${PREFIX}_schema`;
      await sql(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      for (const [name, schemaName] of [[own, undefined], [own, schema]] as const) {
        const text = createTableSql(name, schemaName);
        assert.match(text, /CREATE TABLE IF NOT EXISTS/);
        await sql(text);
        await sql(text); // running the migration twice is harmless
        const migrated = new PostgresStore({ pool, table: name, schema: schemaName, createTable: false, sweepInterval: 0 });
        const key = randomKey();
        const meta = fullMeta();
        await migrated.set(key, record(meta, { a: 1 }));
        assert.equal(await migrated.patch(key, { set: data({ b: 2 }), unset: ['a'], meta }), true);
        const got = await migrated.get(key);
        assert.ok(got !== null);
        assert.deepEqual(entriesOf(got.data), entriesOf(data({ b: 2 })));
        assert.deepEqual((await migrated.listByUser(meta.userId!)).map((e) => e.key), [key]);
      }
      const { rows } = await sql(`SELECT count(*)::int AS n FROM "${schema}"."${own}"`);
      assert.equal(rows[0].n, 1, 'the schema-qualified store wrote into its own schema');
      const { rows: indexes } = await sql(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY 1`, [own]);
      assert.deepEqual(
        indexes.map((r: { indexname: string }) => r.indexname),
        [`${own}_expires_at_idx`, `${own}_pkey`, `${own}_user_id_idx`],
      );
    });

    it('without createTable, a missing table is a StoreError (not a crash, no SQL in the message)', async () => {
      const missing = new PostgresStore({ pool, table: `${PREFIX}_never_created`, createTable: false, sweepInterval: 0 });
      const key = randomKey();
      await assert.rejects(missing.get(key), (error: unknown) => {
        isStoreError(error);
        assert.match((error as Error).message, /^PostgresStore get failed \(42P01\)$/);
        assert.equal(((error as Error).cause as { code?: string }).code, '42P01');
        return true;
      });
    });

    it('many instances creating the same table at once all succeed', async () => {
      const races: Record<string, number> = {};
      for (let round = 0; round < 10; round++) {
        const name = `${PREFIX}_race${round}`;
        const own8 = Array.from({ length: 8 }, () => {
          const own = new pg.Pool({ ...CONNECTION, max: 1 });
          own.on('error', () => undefined);
          return own;
        });
        const stores = own8.map((own) => {
          const query: PgQueryable['query'] = async (config) => {
            try {
              return await own.query(config);
            } catch (error) {
              const code = String((error as { code?: unknown }).code);
              races[code] = (races[code] ?? 0) + 1;
              throw error;
            }
          };
          return new PostgresStore({ pool: { query }, table: name, sweepInterval: 0 });
        });
        try {
          await Promise.all(stores.map((s, i) => s.set(randomKey(), record(fullMeta(), { i }))));
        } finally {
          await Promise.all(own8.map((own) => own.end()));
        }
        const { rows } = await sql(`SELECT count(*)::int AS n FROM "${name}"`);
        assert.equal(rows[0].n, 8);
      }
      console.log(`# concurrent CREATE races absorbed (SQLSTATE: count): ${JSON.stringify(races)}`);
      for (const code of Object.keys(races)) assert.ok(['23505', '42P07', '42710'].includes(code), `unexpected ${code}`);
    });

    it('a garbage row is a StoreError, never a half-valid session', async () => {
      const user = randomUser();
      const now = Date.now();
      const garbage: [string, string, string | null][] = [
        ['data is an array', '[1, 2]', String(now)],
        ['data entry not text', '{"a": 1}', String(now)],
        ['data is a string', '"x"', String(now)],
        ['negative time', '{}', '-5'],
      ];
      for (const [title, json, createdAt] of garbage) {
        const key = randomKey();
        await sql(
          `INSERT INTO "${table}" (key, user_id, data, created_at, touched_at, expires_at) VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
          [key, user, json, createdAt, now, now + 60_000],
        );
        await assert.rejects(store.get(key), isStoreError, title);
        await sql(`DELETE FROM "${table}" WHERE key = $1`, [key]);
      }
      await sql(`INSERT INTO "${table}" (key, user_id, data, created_at, touched_at, expires_at) VALUES ($1, $2, '{}', -1, 0, 0)`, [
        randomKey(),
        user,
      ]);
      await assert.rejects(store.listByUser(user), isStoreError);
      assert.equal(await store.destroyByUser(user), 1, 'garbage can still be removed');
    });

    it('sweep deletes expired rows in batches and keeps live ones', async () => {
      const sweepTable = `${PREFIX}_sweep`;
      const names: (string | undefined)[] = [];
      const counting: PgQueryable = {
        query: (config) => {
          names.push(config.name);
          return pool.query(config);
        },
      };
      const sweeper = new PostgresStore({ pool: counting, table: sweepTable, sweepInterval: 0, sweepBatch: 500 });
      const live = randomKey();
      await sweeper.set(live, record(fullMeta(), { live: true }));
      const now = Date.now();
      await sql(
        `INSERT INTO "${sweepTable}" (key, user_id, data, created_at, touched_at, expires_at)
         SELECT 'expired-' || i, NULL, '{"a":"1"}', $1::bigint, $1::bigint, $1::bigint - i FROM generate_series(1, 1200) AS i`,
        [now - 1],
      );
      const boundary = randomKey();
      await sweeper.set(boundary, record(fullMeta({ expiresAt: now }), {}));
      names.length = 0;
      assert.equal(await sweeper.sweep(now), 1201);
      assert.equal(names.length, 3, 'three DELETE statements: 500 + 500 + 201');
      assert.ok(names.every((name) => name !== undefined && name === names[0]), 'one prepared statement, reused');
      const { rows } = await sql(`SELECT key FROM "${sweepTable}"`);
      assert.deepEqual(rows.map((r: { key: string }) => r.key), [live]);
      assert.equal(await sweeper.sweep(now), 0);
    });

    it('sweeps on its timer', async () => {
      const timed = new PostgresStore({ pool, table, sweepInterval: 30 });
      const [expired, live] = [randomKey(), randomKey()];
      await timed.set(expired, record(fullMeta({ expiresAt: Date.now() - 1 }), {}));
      await timed.set(live, record(fullMeta(), {}));
      for (let i = 0; i < 50 && (await timed.get(expired)) !== null; i++) await sleep(20);
      assert.equal(await timed.get(expired), null);
      assert.ok((await timed.get(live)) !== null);
      await timed.close();
    });

    it('runs every operation as a named (prepared) query', async () => {
      const seen: { name?: string; text: string }[] = [];
      const spy = new PostgresStore({
        pool: { query: (config) => (seen.push(config), pool.query(config)) },
        table,
        sweepInterval: 0,
      });
      const key = randomKey();
      const meta = fullMeta();
      await spy.get(key);
      await spy.set(key, record(meta, { a: 1 }));
      await spy.patch(key, { set: data({ b: 1 }), unset: [], meta });
      await spy.touch(key, { touchedAt: 1, expiresAt: Date.now() + 1000 });
      await spy.listByUser(meta.userId!);
      await spy.destroyByUser(meta.userId!, key);
      await spy.destroy(key);
      await spy.sweep(0);
      const statements = seen.filter((q) => !q.text.startsWith('CREATE'));
      assert.equal(statements.length, 8);
      for (const q of statements) assert.match(q.name ?? '', /^holdfast_[0-9a-f]{20}$/);
      assert.equal(new Set(statements.map((q) => q.name)).size, 8);
    });

    it('patch tells missing (false) from too large (RecordTooLargeError) and writes nothing on either', async () => {
      const small = new PostgresStore({ pool, table, maxRecordBytes: 100, sweepInterval: 0 });
      const key = randomKey();
      const meta = fullMeta();
      await small.set(key, record(meta, { a: 'x' }));
      const huge = data({ b: 'y'.repeat(200) });
      await assert.rejects(small.patch(key, { set: huge, unset: [], meta: fullMeta() }), RecordTooLargeError);
      assert.equal(await small.patch(randomKey(), { set: huge, unset: [], meta }), false);
      const got = await small.get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      // The limit is the codec's byte count (encodedDataBytes), to the byte: key + value + 6 per entry.
      const fits = 100 - encodedDataBytes(data({ a: 'x' })) - (1 + 6);
      assert.equal(await small.patch(key, { set: data([['c', 'z'.repeat(fits)]]), unset: [], meta }), true);
      await assert.rejects(small.patch(key, { set: data([['c', 'z'.repeat(fits + 1)]]), unset: [], meta }), RecordTooLargeError);
    });

    it('a server that cannot be reached is a StoreError with the driver error as cause', async () => {
      const nowhere = new pg.Pool({ ...CONNECTION, port: 1, connectionTimeoutMillis: 1_000 });
      pools.push(nowhere);
      const lost = new PostgresStore({ pool: nowhere, table, sweepInterval: 0 });
      const key = randomKey();
      await assert.rejects(lost.get(key), (error: unknown) => {
        isStoreError(error);
        assert.equal((error as StoreError).status, 503);
        assert.ok((error as Error).cause instanceof Error);
        assert.ok(!(error as Error).message.includes(key));
        return true;
      });
    });

    it('a backend killed mid-query rejects that call with StoreError; the next call reconnects', async () => {
      const single = newPool({ max: 1, application_name: `${PREFIX}_victim` });
      const victim = new PostgresStore({ pool: single, table, sweepInterval: 0 });
      const key = randomKey();
      await victim.set(key, record(fullMeta(), { a: 1 }));
      const locker = await admin!.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
        const pending = victim.get(key);
        pending.catch(() => undefined);
        let killed = false;
        for (let i = 0; i < 100 && !killed; i++) {
          const { rows } = await locker.query(
            `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [`${PREFIX}_victim`],
          );
          killed = rows.length > 0 && rows.every((r: { ok: boolean }) => r.ok);
          if (!killed) await sleep(10);
        }
        assert.ok(killed, 'found the blocked backend');
        await assert.rejects(pending, (error: unknown) => {
          isStoreError(error);
          assert.equal(((error as Error).cause as { code?: string }).code, '57P01');
          return true;
        });
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
      const got = await victim.get(key);
      assert.ok(got !== null, 'the pool opened a new connection');
    });

    it('an idle backend killed between calls: at most one StoreError, then the pool reconnects', async () => {
      const single = newPool({ max: 1 });
      const victim = new PostgresStore({ pool: single, table, sweepInterval: 0 });
      const key = randomKey();
      await victim.set(key, record(fullMeta(), { a: 1 }));
      const { rows } = await single.query('SELECT pg_backend_pid() AS pid');
      await sql('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      const outcomes: string[] = [];
      for (let i = 0; i < 2; i++) {
        try {
          assert.ok((await victim.get(key)) !== null);
          outcomes.push('ok');
        } catch (error) {
          isStoreError(error);
          outcomes.push('StoreError');
        }
      }
      assert.equal(outcomes[1], 'ok', `outcomes: ${outcomes.join(', ')}`);
      console.log(`# idle backend killed: next calls -> ${outcomes.join(', ')}`);
    });

    it('two stores on one pool with different tables do not share prepared statements', async () => {
      const other = new PostgresStore({ pool, table: `${PREFIX}_other`, sweepInterval: 0 });
      const key = randomKey();
      await store.set(key, record(fullMeta(), { in: 'main' }));
      await other.set(key, record(fullMeta(), { in: 'other' }));
      const [a, b] = await Promise.all([store.get(key), other.get(key)]);
      assert.equal(a?.data.in, '"main"');
      assert.equal(b?.data.in, '"other"');
    });
  });
});

/** Used by the type checker: a pg.Pool is a valid `pool` option as-is. */
export const _poolFits = (pool: pg.Pool): SessionStore => new PostgresStore({ pool });
