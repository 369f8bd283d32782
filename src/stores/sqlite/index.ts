/**
 * The embedded default store: one SQLite file through `node:sqlite`, no extra dependency.
 * Durable across restarts and safe for several processes on one host (WAL, busy timeout, every
 * write one statement). Per-key patches merge inside SQLite with `json_patch`, so two requests
 * that change different keys of one session both win.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { checkedReadsOf, RECORDS_CHECKED, type CheckedReads } from '../../core/checked-records.ts';
import { ConfigError, RecordTooLargeError, StoreError } from '../../core/errors.ts';
import { assertDataSize, checkMeta, DEFAULT_MAX_RECORD_BYTES, emptyData, isCheckedMeta, parseData, stringifyData } from '../../core/record-codec.ts';
import type {
  EpochMs,
  SessionMeta,
  SessionPatch,
  SessionRecord,
  SessionStore,
  TouchMeta,
  UserSessionEntry,
} from '../../core/store.ts';
import { openStoreDatabase, runStatement } from './node-sqlite.ts';
import { buildSql, TABLE_NAME, type SqliteSql } from './sql.ts';

export interface SqliteStoreOptions {
  /** Database file. Its directory is created (mode 0700) when missing; ':memory:' for tests. */
  path: string;
  /** Table name (letters, digits, underscore). Default 'holdfast_sessions'. */
  table?: string;
  /** Largest record accepted, in bytes as `encodedDataBytes` counts them. Default 1 MiB. */
  maxRecordBytes?: number;
  /** How often expired rows are swept, in ms (0 disables). Default 60,000. */
  sweepInterval?: number;
  /** Rows deleted per sweep statement, so a big sweep never holds the write lock for long. Default 500. */
  sweepBatch?: number;
  /** How long a statement waits for another process's write lock, in ms. Default 5,000. */
  busyTimeout?: number;
}

type Statements = { [K in Exclude<keyof SqliteSql, 'schema' | 'read'>]: StatementSync };

const positiveInt = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

export class SqliteStore implements SessionStore {
  /** Every record returned is built through record-codec's checks (see checked-records.ts). */
  readonly [RECORDS_CHECKED]: CheckedReads = checkedReadsOf(SqliteStore.prototype);
  readonly #db: DatabaseSync;
  readonly #st: Statements;
  /** The per-request read: positional parameter, rows as arrays where supported (less work per row). */
  readonly #read: StatementSync;
  readonly #maxRecordBytes: number;
  readonly #sweepBatch: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    const {
      path,
      table = 'holdfast_sessions',
      maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
      sweepInterval = 60_000,
      sweepBatch = 500,
      busyTimeout = 5_000,
    } = options ?? ({} as SqliteStoreOptions);
    if (typeof path !== 'string' || path === '') throw new ConfigError('SqliteStore needs { path }: the database file to use');
    if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
      throw new ConfigError('SqliteStore table must be 1-63 letters, digits or underscores, not starting with a digit');
    }
    if (!positiveInt(maxRecordBytes)) throw new ConfigError('SqliteStore maxRecordBytes must be a positive integer');
    if (!positiveInt(sweepBatch)) throw new ConfigError('SqliteStore sweepBatch must be a positive integer');
    if (!(sweepInterval === 0 || positiveInt(sweepInterval))) throw new ConfigError('SqliteStore sweepInterval must be 0 or a positive integer (ms)');
    if (!(busyTimeout === 0 || positiveInt(busyTimeout))) throw new ConfigError('SqliteStore busyTimeout must be 0 or a positive integer (ms)');
    this.#maxRecordBytes = maxRecordBytes;
    this.#sweepBatch = sweepBatch;

    let db: DatabaseSync | undefined;
    try {
      db = openStoreDatabase('SqliteStore', path, busyTimeout);
      this.#db = db;
      const sql = buildSql(table);
      for (const statement of sql.schema) this.#db.exec(statement);
      const { schema: _schema, read: _read, ...rest } = sql;
      const st = {} as Statements;
      for (const name of Object.keys(rest) as (keyof Statements)[]) st[name] = this.#db.prepare(rest[name]);
      this.#st = st;
      this.#read = this.#db.prepare(sql.read);
      if (typeof this.#read.setReturnArrays === 'function') this.#read.setReturnArrays(true);
    } catch (error) {
      if (db?.isOpen) db.close();
      if (error instanceof ConfigError) throw error;
      throw new StoreError(`SqliteStore could not open its database: ${(error as Error).message}`, { cause: error });
    }

    if (sweepInterval > 0) {
      this.#timer = setInterval(() => {
        this.sweep(Date.now()).catch(() => {
          // A failed background sweep is retried next interval; reads never depend on it.
        });
      }, sweepInterval);
      this.#timer.unref();
    }
  }

  async get(key: string): Promise<SessionRecord | null> {
    return this.getSync(key);
  }

  /** The engine's synchronous read (node:sqlite is synchronous): one indexed SELECT. */
  getSync(key: string): SessionRecord | null {
    if (this.#closed) throw new StoreError('SqliteStore is closed');
    let row: unknown;
    try {
      row = this.#read.get(key);
    } catch (error) {
      throw new StoreError(`SqliteStore query failed: ${(error as Error).message}`, { cause: error });
    }
    if (row === undefined) return null;
    // Columns in READ_COLUMNS order, as an array where node:sqlite can return one (Node >= 24).
    const v = Array.isArray(row) ? row : Object.values(row as Row);
    const meta = { userId: v[0], createdAt: v[2], authAt: v[3], touchedAt: v[4], expiresAt: v[5], ip: v[6], userAgent: v[7] };
    return { meta: isCheckedMeta(meta) ? meta : checkMeta(meta), data: parseData(v[1]) };
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertDataSize(record.data, this.#maxRecordBytes);
    const data = stringifyData(record.data);
    this.#run(() => this.#st.set.run({ key, data, ...metaParams(record.meta) }));
  }

  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    return this.patchSync(key, patch);
  }

  /** `patch`, synchronously (the engine's commit path): one UPDATE. */
  patchSync(key: string, patch: SessionPatch): boolean {
    // RFC 7396 merge patch: null removes a key, a string replaces it (never merged into).
    const merge = emptyData() as Record<string, string | null>;
    for (const name of patch.unset) merge[name] = null;
    for (const name of Object.keys(patch.set)) merge[name] = patch.set[name] as string;
    const text = JSON.stringify(merge);
    const maxBytes = this.#maxRecordBytes;
    const meta = patch.meta;
    return this.#run(() => {
      const result =
        meta === undefined
          ? this.#st.patchData.run({ key, patch: text, maxBytes })
          : this.#st.patch.run({ key, patch: text, maxBytes, ...metaParams(meta) });
      if (Number(result.changes) > 0) return true;
      // Nothing written: either there is no such record, or the result would be too large.
      // (A record created between the two statements can only make this report "too large"
      // for a patch that wrote nothing, which is still an honest refusal.)
      if (this.#st.exists.get({ key }) === undefined) return false;
      throw new RecordTooLargeError(
        `session data would be over this store's limit of ${this.#maxRecordBytes} bytes after this change; ` +
          'keep large objects out of the session (store an ID and load the object) or raise maxRecordBytes',
      );
    });
  }

  async touch(key: string, meta: TouchMeta): Promise<boolean> {
    return this.touchSync(key, meta);
  }

  /** `touch`, synchronously (the engine's commit path): one UPDATE. */
  touchSync(key: string, meta: TouchMeta): boolean {
    return this.#run(() => Number(this.#st.touch.run({ key, touchedAt: meta.touchedAt, expiresAt: meta.expiresAt }).changes) > 0);
  }

  async destroy(key: string): Promise<void> {
    this.#run(() => this.#st.destroy.run({ key }));
  }

  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    return this.#run(() => this.#st.listByUser.all({ userId }).map((row) => ({ key: rowKey(row), meta: rowMeta(row) })));
  }

  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    return this.#run(() => {
      const result =
        exceptKey === undefined ? this.#st.destroyByUser.run({ userId }) : this.#st.destroyByUserExcept.run({ userId, exceptKey });
      return Number(result.changes);
    });
  }

  /** Delete rows expired at `now`, `sweepBatch` at a time, yielding to the event loop in between. */
  async sweep(now: EpochMs): Promise<number> {
    let removed = 0;
    for (;;) {
      const changes = this.#run(() => Number(this.#st.sweep.run({ now, limit: this.#sweepBatch }).changes));
      removed += changes;
      if (changes < this.#sweepBatch) return removed;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#closed) return removed;
    }
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** Run a statement; driver failures become `StoreError` (our own errors pass through). */
  #run<T>(fn: () => T): T {
    return runStatement('SqliteStore', this.#closed, fn);
  }
}

type Row = Record<string, unknown>;

function rowKey(row: Row): string {
  if (typeof row.key !== 'string') throw new StoreError('session store returned a key that is not text');
  return row.key;
}

function rowMeta(row: Row): SessionMeta {
  return checkMeta({
    userId: row.user_id,
    createdAt: row.created_at,
    authAt: row.auth_at,
    touchedAt: row.touched_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
  });
}

function metaParams(meta: SessionMeta): Record<string, string | number | null> {
  return {
    userId: meta.userId,
    createdAt: meta.createdAt,
    authAt: meta.authAt,
    touchedAt: meta.touchedAt,
    expiresAt: meta.expiresAt,
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
}
export { createTokenTableSql, SqliteTokenStore, type SqliteTokenStoreOptions } from './token-store.ts';

