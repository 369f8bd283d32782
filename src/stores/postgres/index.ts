/**
 * PostgreSQL session store on a `pg` Pool the application creates (and ends). The store never
 * loads `pg` itself; it only calls `pool.query`.
 *
 *   import pg from 'pg';
 *   import { PostgresStore } from 'holdfast/stores/postgres';
 *   const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 *   pool.on('error', (err) => log.warn(err)); // pg's rule: idle-client errors are emitted here
 *   const store = new PostgresStore({ pool });
 *
 * - One row per session (see ./sql.ts for the layout). Times are bigint milliseconds.
 * - The table is created on first use (`createTable: false` if you run `createTableSql()` in
 *   your own migrations). Several app instances starting at once are fine.
 * - `patch` is one statement: per-key merge (`data - unset || set`) with the size check inside,
 *   so concurrent requests changing different keys both win and nothing half-written is seen.
 * - Expired rows are deleted in small batches on an unref'd timer (`sweepInterval`, 0 = off)
 *   and by `sweep(now)`; `FOR UPDATE SKIP LOCKED` lets several instances sweep side by side.
 * - Every statement is a named (prepared) query.
 */
import { checkedReadsOf, RECORDS_CHECKED, type CheckedReads } from '../../core/checked-records.ts';
import { ConfigError, RecordTooLargeError, StoreError } from '../../core/errors.ts';
import { assertDataSize, DEFAULT_MAX_RECORD_BYTES, stringifyData } from '../../core/record-codec.ts';
import type { EpochMs, SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../core/store.ts';
import { runCreateStatements } from './create-table.ts';
import { rowToEntry, rowToRecord, toStoreError } from './rows.ts';
import { createTableStatements, statementName, statements, tableNames } from './sql.ts';
import type { PgStatements } from './sql.ts';

export { createTableSql } from './sql.ts';

/** The part of a pg `Pool` (or `Client`) the store uses. A `pg.Pool` fits. */
export interface PgQueryable {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export interface PostgresStoreOptions {
  /** A `pg` Pool (created and ended by you). */
  pool: PgQueryable;
  /** Table name. Default `holdfast_sessions`. Letters, digits, underscores; at most 48 characters. */
  table?: string;
  /** Schema holding the table (must exist). Default: the connection's search_path. */
  schema?: string;
  /** Create the table and indexes on first use. Default true. */
  createTable?: boolean;
  /** Largest session data accepted, in bytes (as `encodedDataBytes` counts). Default 1 MiB. */
  maxRecordBytes?: number;
  /** How often expired rows are swept, in ms; 0 disables the timer. Default 60,000. */
  sweepInterval?: number;
  /** Rows deleted per sweep statement. Default 500. */
  sweepBatch?: number;
  /** Called when a background sweep fails. Default: one console.warn per run of failures. */
  onSweepError?: (error: Error) => void;
}

/** SQLSTATEs a concurrent `CREATE ... IF NOT EXISTS` can raise when another session won the race. */

type Op = keyof PgStatements;

export class PostgresStore implements SessionStore {
  /** Every record returned is built through record-codec's checks (see checked-records.ts). */
  readonly [RECORDS_CHECKED]: CheckedReads = checkedReadsOf(PostgresStore.prototype);
  readonly #pool: PgQueryable;
  readonly #sql: PgStatements;
  readonly #names: Record<Op, string>;
  readonly #ddl: string[];
  readonly #maxRecordBytes: number;
  readonly #sweepBatch: number;
  readonly #onSweepError: (error: Error) => void;
  #tableReady: boolean;
  #creating: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<number> | undefined;
  #sweepFailing = false;

  constructor(options: PostgresStoreOptions) {
    const {
      pool,
      table = 'holdfast_sessions',
      schema,
      createTable = true,
      maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
      sweepInterval = 60_000,
      sweepBatch = 500,
      onSweepError,
    } = options ?? ({} as PostgresStoreOptions);
    if (pool == null || typeof pool.query !== 'function') {
      throw new ConfigError('PostgresStore needs { pool }: a pg Pool, e.g. new pg.Pool({ connectionString })');
    }
    tableNames(table, schema); // validates both names (ConfigError)
    if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1) throw new ConfigError('PostgresStore maxRecordBytes must be a positive integer');
    if (!Number.isInteger(sweepBatch) || sweepBatch < 1) throw new ConfigError('PostgresStore sweepBatch must be a positive integer');
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) throw new ConfigError('PostgresStore sweepInterval must be 0 (off) or a number of milliseconds');
    this.#pool = pool;
    this.#sql = statements(table, schema);
    this.#names = Object.fromEntries(Object.entries(this.#sql).map(([op, text]) => [op, statementName(text)])) as Record<Op, string>;
    this.#ddl = createTableStatements(table, schema);
    this.#maxRecordBytes = maxRecordBytes;
    this.#sweepBatch = sweepBatch;
    this.#tableReady = !createTable;
    this.#onSweepError =
      onSweepError ??
      ((error) => console.warn(`holdfast: PostgresStore background sweep failed: ${error.message}; retrying every ${sweepInterval} ms`));
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => this.#backgroundSweep(), sweepInterval);
      this.#timer.unref();
    }
  }

  async get(key: string): Promise<SessionRecord | null> {
    const { rows } = await this.#run('get', [key]);
    const row = rows[0];
    if (row === undefined) return null;
    return rowToRecord(row as Record<string, unknown>);
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertDataSize(record.data, this.#maxRecordBytes);
    const m = record.meta;
    await this.#run('set', [key, stringifyData(record.data), m.userId, m.createdAt, m.authAt, m.touchedAt, m.expiresAt, m.ip, m.userAgent]);
  }

  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    const m = patch.meta;
    const set = stringifyData(patch.set);
    const { rows } =
      m === undefined
        ? await this.#run('patchData', [key, patch.unset, set, this.#maxRecordBytes])
        : await this.#run('patch', [key, patch.unset, set, m.userId, m.createdAt, m.authAt, m.touchedAt, m.expiresAt, m.ip, m.userAgent, this.#maxRecordBytes]);
    const row = rows[0] as { bytes?: unknown; updated?: unknown } | undefined;
    if (row === undefined) return false;
    if (Number(row.updated) === 1) return true;
    const bytes = Number(row.bytes);
    if (!Number.isFinite(bytes)) throw new StoreError('PostgresStore patch returned an unexpected result');
    throw new RecordTooLargeError(
      `session data would be ${bytes} bytes, over this store's limit of ${this.#maxRecordBytes} bytes; ` +
        'keep large objects out of the session (store an ID and load the object) or raise maxRecordBytes',
    );
  }

  async touch(key: string, meta: TouchMeta): Promise<boolean> {
    const result = await this.#run('touch', [key, meta.touchedAt, meta.expiresAt]);
    return (result.rowCount ?? 0) > 0;
  }

  async destroy(key: string): Promise<void> {
    await this.#run('destroy', [key]);
  }

  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    const { rows } = await this.#run('listByUser', [userId]);
    return rows.map((row) => rowToEntry(row as Record<string, unknown>));
  }

  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    const result = await this.#run('destroyByUser', [userId, exceptKey ?? null]);
    return result.rowCount ?? 0;
  }

  /** Delete rows that expired at or before `now`, `sweepBatch` rows per statement. */
  async sweep(now: EpochMs): Promise<number> {
    let removed = 0;
    for (;;) {
      const result = await this.#run('sweep', [now, this.#sweepBatch]);
      const count = result.rowCount ?? 0;
      removed += count;
      if (count < this.#sweepBatch) return removed;
    }
  }

  /** Stop the sweep timer and wait for a running sweep. The pool is yours to end. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }

  #backgroundSweep(): void {
    if (this.#sweeping !== undefined) return;
    this.#sweeping = this.sweep(Date.now());
    this.#sweeping.then(
      () => {
        this.#sweepFailing = false;
      },
      (error: Error) => {
        if (!this.#sweepFailing) this.#onSweepError(error);
        this.#sweepFailing = true;
      },
    ).finally(() => {
      this.#sweeping = undefined;
    });
  }

  async #run(op: Op, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    try {
      if (!this.#tableReady) await this.#ensureTable();
      return await this.#pool.query({ name: this.#names[op], text: this.#sql[op], values });
    } catch (err) {
      throw toStoreError('PostgresStore', op, err);
    }
  }

  /** Create the table once per instance; a failed attempt is retried by the next call. */
  #ensureTable(): Promise<void> {
    this.#creating ??= runCreateStatements(this.#pool, this.#ddl).then(
      () => {
        this.#tableReady = true;
      },
      (err: unknown) => {
        this.#creating = undefined;
        throw toStoreError('PostgresStore', 'create table', err);
      },
    );
    return this.#creating;
  }
}
export { createTokenTableSql, PostgresTokenStore, type PostgresTokenStoreOptions } from './token-store.ts';
