/**
 * MySQL 8 / MariaDB session store on a mysql2 pool the application creates (and ends). The store
 * never loads mysql2 itself.
 *
 *   import mysql from 'mysql2/promise';
 *   import { MysqlStore } from 'holdfast/stores/mysql';
 *   const pool = mysql.createPool({ uri: process.env.DATABASE_URL, charset: 'utf8mb4' });
 *   const store = new MysqlStore({ pool });
 *
 * A callback pool (`mysql2.createPool`) works too: the store uses its `.promise()` wrapper.
 *
 * - One row per session (see ./sql.ts for the layout and what differs between MySQL and MariaDB).
 * - The table is created on first use (`createTable: false` if you run `createTableSql()` in your
 *   own migrations); CREATE TABLE IF NOT EXISTS is one statement, safe for concurrent instances.
 * - `patch` is one UPDATE: JSON_MERGE_PATCH with a patch object (set keys → their JSON text,
 *   unset keys → null) guarded by the merged size. Only when it matches no row does a second
 *   query tell "missing" (false) from "too large" (RecordTooLargeError).
 * - Keys longer than 64 characters or not ASCII never exist here (get → null, patch/touch →
 *   false, set → StoreError), so a non-strict sql_mode can never truncate two keys into one.
 * - Every statement is a server-side prepared statement (`pool.execute`).
 */
import { checkedReadsOf, RECORDS_CHECKED, type CheckedReads } from '../../core/checked-records.ts';
import { ConfigError, CorruptRecordError, RecordTooLargeError, StoreError } from '../../core/errors.ts';
import { assertDataSize, DEFAULT_MAX_RECORD_BYTES, stringifyData } from '../../core/record-codec.ts';
import type { EncodedData, EpochMs, SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../core/store.ts';
import { affectedRows, matchedRows, rowsOf, rowToEntry, rowToRecord, toStoreError } from './rows.ts';
import { createTableSql, MAX_KEY_LENGTH, MAX_USER_ID_BYTES, statements } from './sql.ts';
import type { MysqlStatements } from './sql.ts';

export { createTableSql } from './sql.ts';

/** What the store binds: strings, numbers and NULL. */
export type MysqlValue = string | number | null;

/** The part of a mysql2/promise pool the store uses. */
export interface MysqlQueryable {
  execute(sql: string, values?: MysqlValue[]): Promise<[unknown, unknown]>;
  query(sql: string, values?: MysqlValue[]): Promise<[unknown, unknown]>;
}

/** A mysql2 callback pool: anything with `.promise()` giving the promise API. */
export interface MysqlCallbackPool {
  promise(): MysqlQueryable;
}

export interface MysqlStoreOptions {
  /** A mysql2/promise pool, or a callback pool (its `.promise()` is used). */
  pool: MysqlQueryable | MysqlCallbackPool;
  /** Table name, optionally `database.table`. Default `holdfast_sessions`. */
  table?: string;
  /** Create the table on first use. Default true. */
  createTable?: boolean;
  /** Largest session data accepted, in bytes. Default 1 MiB. See `patch` on how it is measured. */
  maxRecordBytes?: number;
  /** How often expired rows are swept, in ms; 0 disables the timer. Default 60,000. */
  sweepInterval?: number;
  /** Rows deleted per sweep statement. Default 500. */
  sweepBatch?: number;
  /** Called when a background sweep fails. Default: one console.warn per run of failures. */
  onSweepError?: (error: Error) => void;
}

/** When a patch misses its row, then finds it fitting on the check, the row changed meanwhile: retry. */
const PATCH_ATTEMPTS = 3;
const VALID_KEY = /^[\x21-\x7e]+$/;

const validKey = (key: string): boolean => key.length <= MAX_KEY_LENGTH && VALID_KEY.test(key);

function toPromisePool(pool: unknown): MysqlQueryable {
  const p = pool as Partial<MysqlQueryable & MysqlCallbackPool> | null;
  if (p != null && typeof p.execute === 'function' && typeof p.query === 'function') {
    // A callback pool has execute/query too, but they take callbacks: prefer its promise API.
    return typeof p.promise === 'function' ? p.promise() : (p as MysqlQueryable);
  }
  if (p != null && typeof p.promise === 'function') return p.promise();
  throw new ConfigError("MysqlStore needs { pool }: a mysql2 pool, e.g. createPool({ uri }) from 'mysql2/promise'");
}

/** mysql2's callback `execute`, as the core pool under a promise pool (`.pool`) has it. */
type CallbackExecute = (sql: string, values: MysqlValue[], done: (err: unknown, result?: unknown) => void) => unknown;

/**
 * The core callback pool's `execute`, when the pool is mysql2's (a promise pool's `.pool`, or
 * the callback pool itself). mysql2's promise wrapper captures a stack trace on every call
 * (its default `trace: true`): measured at ~15 µs of CPU per statement, more than the rest of
 * the store's JS. Errors are wrapped in a StoreError with the driver's error as `cause` anyway.
 */
function coreExecute(pool: unknown, promisePool: MysqlQueryable): CallbackExecute | undefined {
  const given = pool as { promise?: unknown; execute?: unknown } | null;
  const core =
    given != null && typeof given.promise === 'function' && typeof given.execute === 'function'
      ? given // a callback pool
      : (promisePool as { pool?: { promise?: unknown; execute?: unknown } }).pool;
  if (core == null || typeof core.execute !== 'function' || typeof core.promise !== 'function') return undefined;
  const execute = core.execute as CallbackExecute;
  return (sql, values, done) => execute.call(core, sql, values, done);
}

type Op = keyof MysqlStatements;

export class MysqlStore implements SessionStore {
  /** Every record returned is built through record-codec's checks (see checked-records.ts). */
  readonly [RECORDS_CHECKED]: CheckedReads = checkedReadsOf(MysqlStore.prototype);
  readonly #pool: MysqlQueryable;
  readonly #execute: CallbackExecute | undefined;
  readonly #sql: MysqlStatements;
  readonly #ddl: string;
  readonly #maxRecordBytes: number;
  readonly #sweepBatch: number;
  readonly #onSweepError: (error: Error) => void;
  #tableReady: boolean;
  #creating: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<number> | undefined;
  #sweepFailing = false;

  constructor(options: MysqlStoreOptions) {
    const {
      pool,
      table = 'holdfast_sessions',
      createTable = true,
      maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
      sweepInterval = 60_000,
      sweepBatch = 500,
      onSweepError,
    } = options ?? ({} as MysqlStoreOptions);
    this.#pool = toPromisePool(pool);
    this.#execute = coreExecute(pool, this.#pool);
    this.#sql = statements(table, sweepBatch); // validates table and sweepBatch (ConfigError)
    this.#ddl = createTableSql(table);
    if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1) throw new ConfigError('MysqlStore maxRecordBytes must be a positive integer');
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) throw new ConfigError('MysqlStore sweepInterval must be 0 (off) or a number of milliseconds');
    this.#maxRecordBytes = maxRecordBytes;
    this.#sweepBatch = sweepBatch;
    this.#tableReady = !createTable;
    this.#onSweepError =
      onSweepError ?? ((error) => console.warn(`holdfast: MysqlStore background sweep failed: ${error.message}; retrying every ${sweepInterval} ms`));
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => this.#backgroundSweep(), sweepInterval);
      this.#timer.unref();
    }
  }

  async get(key: string): Promise<SessionRecord | null> {
    if (!validKey(key)) return null;
    const row = rowsOf(await this.#run('get', [key]))[0];
    return row === undefined ? null : rowToRecord(row);
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    if (!validKey(key)) throw new StoreError(`MysqlStore keys are at most ${MAX_KEY_LENGTH} printable ASCII characters`);
    assertDataSize(record.data, this.#maxRecordBytes);
    const m = record.meta;
    this.#checkUserId(m.userId);
    const row = [stringifyData(record.data), m.userId, m.createdAt, m.authAt, m.touchedAt, m.expiresAt, m.ip, m.userAgent];
    await this.#run('set', [key, ...row, ...row]);
  }

  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    if (!validKey(key)) return false;
    const m = patch.meta;
    if (m !== undefined) this.#checkUserId(m.userId);
    const doc = mergePatchDocument(patch.set, patch.unset);
    const max = this.#maxRecordBytes;
    const op = m === undefined ? 'patchData' : 'patch';
    const values =
      m === undefined
        ? [doc, key, doc, max]
        : [doc, m.userId, m.createdAt, m.authAt, m.touchedAt, m.expiresAt, m.ip, m.userAgent, key, doc, max];
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      if (matchedRows(await this.#run(op, values)) > 0) return true;
      // No row matched: missing, or the merged data is too large. Ask which.
      const row = rowsOf(await this.#run('patchCheck', [doc, key]))[0];
      if (row === undefined) return false;
      if (row.bytes === null) throw new CorruptRecordError('MysqlStore patch found stored data that is not a JSON object');
      const bytes = Number(row.bytes);
      if (bytes > this.#maxRecordBytes) {
        throw new RecordTooLargeError(
          `session data would be about ${bytes} bytes, over this store's limit of ${this.#maxRecordBytes} bytes; ` +
            'keep large objects out of the session (store an ID and load the object) or raise maxRecordBytes',
        );
      }
      // It exists and fits now: it was created or shrunk between the two queries. Try again.
    }
    throw new StoreError('MysqlStore patch kept racing with concurrent writes; gave up');
  }

  async touch(key: string, meta: TouchMeta): Promise<boolean> {
    if (!validKey(key)) return false;
    return matchedRows(await this.#run('touch', [meta.touchedAt, meta.expiresAt, key])) > 0;
  }

  async destroy(key: string): Promise<void> {
    if (!validKey(key)) return;
    await this.#run('destroy', [key]);
  }

  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    if (Buffer.byteLength(userId) > MAX_USER_ID_BYTES) return [];
    return rowsOf(await this.#run('listByUser', [userId])).map(rowToEntry);
  }

  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    if (Buffer.byteLength(userId) > MAX_USER_ID_BYTES) return 0;
    const result = exceptKey === undefined ? await this.#run('destroyByUser', [userId]) : await this.#run('destroyByUserExcept', [userId, exceptKey]);
    return affectedRows(result);
  }

  /** Delete rows that expired at or before `now`, `sweepBatch` rows per statement. */
  async sweep(now: EpochMs): Promise<number> {
    let removed = 0;
    for (;;) {
      const count = affectedRows(await this.#run('sweep', [now]));
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

  #checkUserId(userId: string | null): void {
    if (userId !== null && Buffer.byteLength(userId) > MAX_USER_ID_BYTES) {
      throw new StoreError(`MysqlStore user IDs are at most ${MAX_USER_ID_BYTES} bytes of UTF-8`);
    }
  }

  #backgroundSweep(): void {
    if (this.#sweeping !== undefined) return;
    this.#sweeping = this.sweep(Date.now());
    this.#sweeping
      .then(
        () => {
          this.#sweepFailing = false;
        },
        (error: Error) => {
          if (!this.#sweepFailing) this.#onSweepError(error);
          this.#sweepFailing = true;
        },
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  async #run(op: Op, values: MysqlValue[]): Promise<unknown> {
    try {
      if (!this.#tableReady) await this.#ensureTable();
      const execute = this.#execute;
      if (execute === undefined) return (await this.#pool.execute(this.#sql[op], values))[0];
      return await new Promise((resolve, reject) => {
        execute(this.#sql[op], values, (err, result) => (err ? reject(err) : resolve(result)));
      });
    } catch (err) {
      throw toStoreError(op, err);
    }
  }

  /** Create the table once per instance; a failed attempt is retried by the next call. */
  #ensureTable(): Promise<void> {
    this.#creating ??= this.#pool.query(this.#ddl).then(
      () => {
        this.#tableReady = true;
      },
      (err: unknown) => {
        this.#creating = undefined;
        throw toStoreError('create table', err);
      },
    );
    return this.#creating;
  }
}

/** JSON_MERGE_PATCH document: unset keys → null (removed), set keys → their JSON text. Set wins. */
function mergePatchDocument(set: EncodedData, unset: readonly string[]): string {
  const doc = Object.create(null) as Record<string, string | null>;
  for (const key of unset) doc[key] = null;
  for (const key of Object.keys(set)) doc[key] = set[key] as string;
  return JSON.stringify(doc);
}
export { createTokenTableSql, MysqlTokenStore, type MysqlTokenStoreOptions } from './token-store.ts';
