/**
 * MysqlStore against the real server on 127.0.0.1:3306 (root, no password, database `test`;
 * MariaDB on this machine, MySQL 8 elsewhere): the conformance suite plus table creation races,
 * garbage rows, batched sweeps, binary key/user comparisons and a connection killed under the store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mysqlCallback from 'mysql2';
import mysql from 'mysql2/promise';
import { ConfigError, RecordTooLargeError, StoreError } from '../../src/core/errors.ts';
import { encodedDataBytes } from '../../src/core/record-codec.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createTableSql, MysqlStore } from '../../src/stores/mysql/index.ts';
import type { MysqlQueryable } from '../../src/stores/mysql/index.ts';
import { data, entriesOf, fullMeta, randomKey, randomUser, record, sleep } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { requireService } from '../support/services.ts';

const CONNECTION = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', charset: 'utf8mb4' };
/** Every table this file makes starts with this, and is dropped at the end. */
const PREFIX = `hf_my_${randomBytes(4).toString('hex')}`;

let version = '';
const up = await requireService('MySQL/MariaDB 127.0.0.1:3306', async () => {
  const connection = await mysql.createConnection({ ...CONNECTION, connectTimeout: 2_000 });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS v');
    version = String((rows as { v: string }[])[0]?.v);
  } finally {
    await connection.end();
  }
});
if (up) console.log(`# server: ${version}`);

const pools: mysql.Pool[] = [];
function newPool(options: mysql.PoolOptions = {}): mysql.Pool {
  const pool = mysql.createPool({ ...CONNECTION, ...options });
  pools.push(pool);
  return pool;
}

const isStoreError = (error: unknown): boolean => {
  assert.ok(error instanceof StoreError, `expected StoreError, got ${String(error)}`);
  return true;
};

describe('MysqlStore', { skip: !up && 'MySQL/MariaDB is not running' }, () => {
  const admin = up ? newPool({ connectionLimit: 3 }) : undefined;
  const sql = async (text: string, values?: unknown[]): Promise<unknown> => (await admin!.query(text, values))[0];
  const table = `${PREFIX}_sessions`;

  after(async () => {
    if (admin !== undefined) {
      const rows = (await sql('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?', [
        `${PREFIX}%`,
      ])) as { t: string }[];
      for (const row of rows) await sql(`DROP TABLE IF EXISTS \`${row.t}\``);
    }
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  runStoreConformance('MysqlStore', {
    create: async () => new MysqlStore({ pool: newPool(), table, sweepInterval: 0 }),
    teardown: async (store) => store.close?.(),
  });

  runStoreConformance('MysqlStore (callback pool, database.table, maxRecordBytes 4096)', {
    create: async () => {
      const callbackPool = mysqlCallback.createPool(CONNECTION);
      pools.push(callbackPool.promise());
      return new MysqlStore({ pool: callbackPool, table: `test.${PREFIX}_small`, maxRecordBytes: 4096, sweepInterval: 0 });
    },
    teardown: async (store) => store.close?.(),
    maxRecordBytes: 4096,
  });

  describe('MysqlStore specifics', () => {
    let pool: mysql.Pool;
    let store: MysqlStore;
    before(() => {
      pool = newPool();
      store = new MysqlStore({ pool, table, sweepInterval: 0 });
    });
    after(() => store.close());

    it('refuses bad options with ConfigError', () => {
      const bad: unknown[] = [
        {},
        { pool: {} },
        { pool, table: 'bad-name' },
        { pool, table: 'x; DROP TABLE y' },
        { pool, table: '`quoted`' },
        { pool, table: 'a.b.c' },
        { pool, table: 'a'.repeat(65) },
        { pool, maxRecordBytes: 0 },
        { pool, sweepBatch: 1.5 },
        { pool, sweepInterval: -1 },
      ];
      for (const [i, options] of bad.entries()) {
        assert.throws(() => new MysqlStore(options as never), ConfigError, `bad options #${i}`);
      }
      assert.throws(() => createTableSql('drop table x'), ConfigError);
    });

    it('createTableSql() makes a table a store with createTable: false works on', async () => {
      const own = `${PREFIX}_migrated`;
      const text = createTableSql(own);
      await sql(text);
      await sql(text); // running the migration twice is harmless
      const migrated = new MysqlStore({ pool, table: own, createTable: false, sweepInterval: 0 });
      const key = randomKey();
      const meta = fullMeta();
      await migrated.set(key, record(meta, { a: 1 }));
      assert.equal(await migrated.patch(key, { set: data({ b: 2 }), unset: ['a'], meta }), true);
      const got = await migrated.get(key);
      assert.ok(got !== null);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ b: 2 })));
      assert.deepEqual((await migrated.listByUser(meta.userId!)).map((e) => e.key), [key]);
      const indexes = (await sql(`SHOW INDEX FROM \`${own}\``)) as { Key_name: string }[];
      assert.deepEqual([...new Set(indexes.map((i) => i.Key_name))].sort(), ['PRIMARY', 'expires_at_idx', 'user_id_idx']);
    });

    it('without createTable, a missing table is a StoreError (no SQL in the message)', async () => {
      const missing = new MysqlStore({ pool, table: `${PREFIX}_never_created`, createTable: false, sweepInterval: 0 });
      await assert.rejects(missing.get(randomKey()), (error: unknown) => {
        isStoreError(error);
        assert.equal((error as Error).message, 'MysqlStore get failed (ER_NO_SUCH_TABLE)');
        return true;
      });
    });

    it('many instances creating the same table at once all succeed', async () => {
      for (let round = 0; round < 10; round++) {
        const name = `${PREFIX}_race${round}`;
        const own = Array.from({ length: 8 }, () => mysql.createPool({ ...CONNECTION, connectionLimit: 1 }));
        try {
          await Promise.all(own.map((p, i) => new MysqlStore({ pool: p, table: name, sweepInterval: 0 }).set(randomKey(), record(fullMeta(), { i }))));
        } finally {
          await Promise.all(own.map((p) => p.end()));
        }
        const rows = (await sql(`SELECT COUNT(*) AS n FROM \`${name}\``)) as { n: number }[];
        assert.equal(Number(rows[0]!.n), 8);
      }
    });

    it('keys are case-sensitive; keys the column cannot hold never exist', async () => {
      const lower = `${'a'.repeat(42)}b`;
      const upper = `${'a'.repeat(42)}B`;
      await store.set(lower, record(fullMeta(), { which: 'lower' }));
      await store.set(upper, record(fullMeta(), { which: 'upper' }));
      assert.equal((await store.get(lower))?.data.which, '"lower"');
      assert.equal((await store.get(upper))?.data.which, '"upper"');
      for (const bad of ['k'.repeat(65), `${lower} `, 'clé', '']) {
        assert.equal(await store.get(bad), null);
        assert.equal(await store.patch(bad, { set: data({}), unset: [], meta: fullMeta() }), false);
        assert.equal(await store.touch(bad, { touchedAt: 1, expiresAt: 2 }), false);
        await store.destroy(bad);
        await assert.rejects(store.set(bad, record(fullMeta(), {})), isStoreError);
      }
      assert.ok((await store.get(lower)) !== null, 'a trailing-space key did not reach the PAD SPACE column');
    });

    it("user IDs compare byte for byte ('bob' is not 'bob ' nor 'BOB'); oversized ones are refused", async () => {
      const base = randomUser();
      const ids = [base, `${base} `, base.toUpperCase(), `${base}é`, `${base}e\u0301`];
      const keyOf = new Map(ids.map((id) => [id, randomKey()]));
      for (const id of ids) await store.set(keyOf.get(id)!, record(fullMeta({ userId: id }), {}));
      for (const id of ids) {
        const listed = await store.listByUser(id);
        assert.deepEqual(listed.map((e) => e.key), [keyOf.get(id)], JSON.stringify(id));
        assert.equal(listed[0]?.meta.userId, id);
      }
      await assert.rejects(store.set(randomKey(), record(fullMeta({ userId: 'é'.repeat(400) }), {})), isStoreError);
      assert.deepEqual(await store.listByUser('é'.repeat(400)), []);
    });

    it('a garbage row is a StoreError, never a half-valid session', async () => {
      const user = randomUser();
      const now = Date.now();
      const garbage: [string, string, number][] = [
        ['data is an array', '[1, 2]', now],
        ['data entry not text', '{"a": 1}', now],
        ['data is a string', '"x"', now],
      ];
      for (const [title, json, createdAt] of garbage) {
        const key = randomKey();
        await sql(`INSERT INTO \`${table}\` (\`key\`, user_id, data, created_at, touched_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`, [
          key,
          user,
          json,
          createdAt,
          now,
          now + 60_000,
        ]);
        await assert.rejects(store.get(key), isStoreError, title);
        if (json.startsWith('[') || json.startsWith('"')) {
          // Not an object: JSON_MERGE_PATCH replaces it, but the size check can still run.
          await store.patch(key, { set: data({ a: 1 }), unset: [], meta: fullMeta() }).catch(isStoreError);
        }
        await sql(`DELETE FROM \`${table}\` WHERE \`key\` = ?`, [key]);
      }
      // (Metadata cannot be garbage here: every meta column is typed, and mysql2 returns BIGINT as numbers.)
      await sql(`INSERT INTO \`${table}\` (\`key\`, user_id, data, created_at, touched_at, expires_at) VALUES (?, ?, '[]', 0, 0, 0)`, [randomKey(), user]);
      assert.equal(await store.destroyByUser(user), 1, 'garbage can still be removed');
    });

    it('sweep deletes expired rows in batches and keeps live ones', async () => {
      const sweepTable = `${PREFIX}_sweep`;
      let sweeps = 0;
      const counting: MysqlQueryable = {
        execute: (text, values) => {
          if (text.startsWith('DELETE') && text.includes('expires_at <=')) sweeps++;
          return pool.execute(text, values);
        },
        query: (text, values) => pool.query(text, values),
      };
      const sweeper = new MysqlStore({ pool: counting, table: sweepTable, sweepInterval: 0, sweepBatch: 500 });
      const live = randomKey();
      await sweeper.set(live, record(fullMeta(), { live: true }));
      const now = Date.now();
      const rows = Array.from({ length: 1200 }, (_, i) => [`expired-${i}`, '{"a":"1"}', now, now, now - 1 - i]);
      await sql(`INSERT INTO \`${sweepTable}\` (\`key\`, data, created_at, touched_at, expires_at) VALUES ?`, [rows]);
      const boundary = randomKey();
      await sweeper.set(boundary, record(fullMeta({ expiresAt: now }), {}));
      sweeps = 0;
      assert.equal(await sweeper.sweep(now), 1201);
      assert.equal(sweeps, 3, 'three DELETE statements: 500 + 500 + 201');
      const left = (await sql(`SELECT \`key\` FROM \`${sweepTable}\``)) as { key: string }[];
      assert.deepEqual(left.map((r) => r.key), [live]);
      assert.equal(await sweeper.sweep(now), 0);
    });

    it('sweeps on its timer', async () => {
      const timed = new MysqlStore({ pool, table, sweepInterval: 30 });
      const [expired, live] = [randomKey(), randomKey()];
      await timed.set(expired, record(fullMeta({ expiresAt: Date.now() - 1 }), {}));
      await timed.set(live, record(fullMeta(), {}));
      for (let i = 0; i < 50 && (await timed.get(expired)) !== null; i++) await sleep(20);
      assert.equal(await timed.get(expired), null);
      assert.ok((await timed.get(live)) !== null);
      await timed.close();
    });

    it('patch tells missing (false) from too large (RecordTooLargeError) and writes nothing on either', async () => {
      const small = new MysqlStore({ pool, table, maxRecordBytes: 100, sweepInterval: 0 });
      const key = randomKey();
      const meta = fullMeta();
      await small.set(key, record(meta, { a: 'x' }));
      const huge = data({ b: 'y'.repeat(200) });
      await assert.rejects(small.patch(key, { set: huge, unset: [], meta: fullMeta() }), RecordTooLargeError);
      assert.equal(await small.patch(randomKey(), { set: huge, unset: [], meta }), false);
      const got = await small.get(key);
      assert.ok(got !== null);
      assert.deepEqual({ ...got.meta }, meta);
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ a: 'x' })));
      // The server measures its own JSON text ({"a": "\"x\"", "c": "zz…"}): escapes and the
      // ", " / ": " separators count, so the limit is a few bytes stricter than encodedDataBytes.
      const stored = 2 + (3 + 2 + 7); // {} + "a" + ": " + "\"x\""
      const fits = 100 - stored - (2 + 3 + 2 + 2); // ", " + "c" + ": " + quotes
      assert.ok(encodedDataBytes(data([['a', '"x"'], ['c', 'z'.repeat(fits)]])) <= 100);
      assert.equal(await small.patch(key, { set: data([['c', 'z'.repeat(fits)]]), unset: [], meta }), true);
      await assert.rejects(small.patch(key, { set: data([['c', 'z'.repeat(fits + 1)]]), unset: [], meta }), RecordTooLargeError);
    });

    it('an identical touch or patch (nothing changes) still reports the record as there', async () => {
      const key = randomKey();
      const meta = fullMeta();
      await store.set(key, record(meta, { a: 1 }));
      const touch = { touchedAt: meta.touchedAt, expiresAt: meta.expiresAt };
      assert.equal(await store.touch(key, touch), true);
      assert.equal(await store.patch(key, { set: data({ a: 1 }), unset: [], meta }), true);
      // Without FOUND_ROWS affectedRows counts changed rows only; the store reads "Rows matched".
      const noFoundRows = new MysqlStore({ pool: newPool({ flags: ['-FOUND_ROWS'] }), table, sweepInterval: 0 });
      assert.equal(await noFoundRows.touch(key, touch), true);
      assert.equal(await noFoundRows.patch(key, { set: data({ a: 1 }), unset: [], meta }), true);
      assert.equal(await noFoundRows.touch(randomKey(), touch), false);
    });

    it('a server that cannot be reached is a StoreError with the driver error as cause', async () => {
      const lost = new MysqlStore({ pool: newPool({ port: 1, connectTimeout: 1_000 }), table, sweepInterval: 0 });
      const key = randomKey();
      await assert.rejects(lost.get(key), (error: unknown) => {
        isStoreError(error);
        assert.equal((error as StoreError).status, 503);
        assert.ok((error as Error).cause instanceof Error);
        assert.ok(!(error as Error).message.includes(key));
        return true;
      });
    });

    it('a connection killed mid-query rejects that call with StoreError; the next call reconnects', async () => {
      const victim = new MysqlStore({ pool: newPool({ connectionLimit: 1 }), table, sweepInterval: 0 });
      const key = randomKey();
      const meta = fullMeta();
      await victim.set(key, record(meta, { a: 1 }));
      const locker = await admin!.getConnection();
      try {
        await locker.query('START TRANSACTION');
        await locker.query(`SELECT \`key\` FROM \`${table}\` WHERE \`key\` = ? FOR UPDATE`, [key]);
        const pending = victim.patch(key, { set: data({ b: 2 }), unset: [], meta });
        pending.catch(() => undefined);
        let killed = false;
        for (let i = 0; i < 100 && !killed; i++) {
          const [rows] = await locker.query('SELECT id FROM information_schema.processlist WHERE info LIKE ?', [`UPDATE \`${table}\` SET data%`]);
          for (const row of rows as { id: number }[]) {
            await locker.query(`KILL ${Number(row.id)}`);
            killed = true;
          }
          if (!killed) await sleep(10);
        }
        assert.ok(killed, 'found the blocked connection');
        await assert.rejects(pending, isStoreError);
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
      const got = await victim.get(key);
      assert.ok(got !== null, 'the pool opened a new connection');
      assert.deepEqual(entriesOf(got.data), entriesOf(data({ a: 1 })), 'the killed patch wrote nothing');
      assert.equal(await victim.patch(key, { set: data({ b: 2 }), unset: [], meta }), true);
    });

    it('an idle connection killed between calls: at most one StoreError, then the pool reconnects', async () => {
      const single = newPool({ connectionLimit: 1 });
      const victim = new MysqlStore({ pool: single, table, sweepInterval: 0 });
      const key = randomKey();
      await victim.set(key, record(fullMeta(), { a: 1 }));
      const [rows] = await single.query('SELECT CONNECTION_ID() AS id');
      await sql(`KILL ${Number((rows as { id: number }[])[0]!.id)}`);
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
      console.log(`# idle connection killed: next calls -> ${outcomes.join(', ')}`);
    });
  });
});

/** Used by the type checker: promise and callback pools are valid `pool` options as-is. */
export const _poolFits = (pool: mysql.Pool, callbackPool: mysqlCallback.Pool): SessionStore[] => [
  new MysqlStore({ pool }),
  new MysqlStore({ pool: callbackPool }),
];
