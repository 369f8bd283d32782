/**
 * Token families in SQLite (node:sqlite), the embedded default: one row per family, created on
 * first use. `rotate` is one `UPDATE … WHERE handle = ? AND gen = ? AND revoked_at IS NULL`
 * (SQLite serialises writers, across processes too), so it is a compare-and-swap.
 *
 *   const store = new SqliteTokenStore({ path: 'data/tokens.db' });
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ConfigError, HoldfastError, StoreError } from '../../core/errors.ts';
import { FAMILY_COLUMNS, familyFromRow, familyStatements, familyValues } from '../../tokens/family-row.ts';
import type { EpochMs, TokenFamily, TokenStore } from '../../tokens/store.ts';
import { openStoreDatabase, runStatement } from './node-sqlite.ts';
import { TABLE_NAME } from './sql.ts';

export interface SqliteTokenStoreOptions {
  /** Database file (may be the sessions' file); ':memory:' for tests. */
  path: string;
  /** Table name. Default 'holdfast_token_families'. */
  table?: string;
  /** Create the table on first use. Default true; else run `createTokenTableSql()` yourself. */
  createTable?: boolean;
  /** How often expired families are swept, in ms (0 disables). Default 60,000. */
  sweepInterval?: number;
  /** How long a statement waits for another process's write lock, in ms. Default 5,000. */
  busyTimeout?: number;
}

export function createTokenTableSql(table = 'holdfast_token_families'): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw new ConfigError('SqliteTokenStore table must be 1-63 letters, digits or underscores');
  return `CREATE TABLE IF NOT EXISTS "${table}" (
  handle TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  gen INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER NULL,
  revoked_at INTEGER NULL,
  claims TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS "${table}_user_idx" ON "${table}" (user_id);
CREATE INDEX IF NOT EXISTS "${table}_expires_idx" ON "${table}" (expires_at);
`;
}

type Op = 'create' | 'get' | 'rotate' | 'revoke' | 'revokeUser' | 'listByUser' | 'sweep';

export class SqliteTokenStore implements TokenStore {
  readonly #db: DatabaseSync;
  readonly #st: Record<Op, StatementSync>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: SqliteTokenStoreOptions) {
    const { path, table = 'holdfast_token_families', createTable = true, sweepInterval = 60_000, busyTimeout = 5_000 } =
      options ?? ({} as SqliteTokenStoreOptions);
    if (typeof path !== 'string' || path === '') throw new ConfigError('SqliteTokenStore needs { path }: the database file to use');
    const ddl = createTokenTableSql(table);
    if (!Number.isSafeInteger(sweepInterval) || sweepInterval < 0) throw new ConfigError('SqliteTokenStore sweepInterval must be 0 or a positive integer (ms)');
    if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0) throw new ConfigError('SqliteTokenStore busyTimeout must be 0 or a positive integer (ms)');
    let db: DatabaseSync | undefined;
    try {
      db = openStoreDatabase('SqliteTokenStore', path, busyTimeout);
      if (createTable) db.exec(ddl);
      const t = `"${table}"`;
      const sql: Record<Op, string> = {
        create: `INSERT OR REPLACE INTO ${t} (${FAMILY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...familyStatements(t),
      };
      this.#st = Object.fromEntries(Object.entries(sql).map(([op, text]) => [op, (db as DatabaseSync).prepare(text)])) as Record<Op, StatementSync>;
      this.#db = db;
    } catch (error) {
      if (db?.isOpen) db.close();
      if (error instanceof HoldfastError) throw error;
      throw new StoreError(`SqliteTokenStore could not open its database: ${(error as Error).message}`, { cause: error });
    }
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => void this.sweep(Date.now()).catch(() => undefined), sweepInterval);
      this.#timer.unref();
    }
  }

  async create(family: TokenFamily): Promise<void> {
    this.#run(() => this.#st.create.run(...familyValues(family)));
  }

  async get(handle: string): Promise<TokenFamily | null> {
    const row = this.#run(() => this.#st.get.get(handle));
    return row === undefined ? null : familyFromRow(row as Record<string, unknown>);
  }

  async rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean> {
    return this.#run(() => Number(this.#st.rotate.run(at, at, handle, fromGen).changes) === 1);
  }

  async revoke(handle: string, at: EpochMs): Promise<boolean> {
    return this.#run(() => Number(this.#st.revoke.run(at, handle).changes) === 1);
  }

  async revokeUser(userId: string, at: EpochMs): Promise<number> {
    return this.#run(() => Number(this.#st.revokeUser.run(at, userId).changes));
  }

  async listByUser(userId: string): Promise<TokenFamily[]> {
    return this.#run(() => this.#st.listByUser.all(userId)).map((row) => familyFromRow(row as Record<string, unknown>));
  }

  async sweep(now: EpochMs): Promise<number> {
    return this.#run(() => Number(this.#st.sweep.run(now).changes));
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #run<T>(fn: () => T): T {
    return runStatement('SqliteTokenStore', this.#closed, fn);
  }
}
