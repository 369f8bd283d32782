/**
 * Token families in MySQL 8 / MariaDB, on a mysql2 pool you create (and end). One row per family;
 * the table is created on first use (`createTable: false` if you run `createTokenTableSql()`
 * yourself). `rotate` is one `UPDATE … WHERE handle = ? AND gen = ? AND revoked_at IS NULL`
 * (InnoDB row lock: a compare-and-swap; matched rows decide, never "changed" rows).
 *
 *   const store = new MysqlTokenStore({ pool }); // pool from mysql2/promise createPool
 */
import { ConfigError } from '../../core/errors.ts';
import { FAMILY_COLUMNS, familyFromRow, familyStatements, familyValues } from '../../tokens/family-row.ts';
import type { EpochMs, TokenFamily, TokenStore } from '../../tokens/store.ts';
import type { MysqlCallbackPool, MysqlQueryable, MysqlValue } from './index.ts';
import { affectedRows, matchedRows, rowsOf, toStoreError } from './rows.ts';
import { quoteTable } from './sql.ts';

export interface MysqlTokenStoreOptions {
  pool: MysqlQueryable | MysqlCallbackPool;
  /** Table name, optionally `database.table`. Default `holdfast_token_families`. */
  table?: string;
  /** Create the table on first use. Default true. */
  createTable?: boolean;
  /** How often expired families are deleted, in ms; 0 disables. Default 60,000. */
  sweepInterval?: number;
}

const MAX_USER_ID_BYTES = 767;

/** The SQL that creates the token table, for your own migrations (then `createTable: false`). */
export function createTokenTableSql(table = 'holdfast_token_families'): string {
  const t = quoteTable(table);
  return `CREATE TABLE IF NOT EXISTS ${t} (
  handle VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARBINARY(${MAX_USER_ID_BYTES}) NOT NULL,
  gen BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  rotated_at BIGINT NULL,
  revoked_at BIGINT NULL,
  claims TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (handle),
  KEY user_idx (user_id),
  KEY expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

function promisePool(pool: unknown): MysqlQueryable {
  const p = pool as Partial<MysqlQueryable & MysqlCallbackPool> | null;
  if (p != null && typeof p.promise === 'function') return p.promise();
  if (p != null && typeof p.execute === 'function' && typeof p.query === 'function') return p as MysqlQueryable;
  throw new ConfigError("MysqlTokenStore needs { pool }: a mysql2 pool, e.g. createPool({ uri }) from 'mysql2/promise'");
}

type Op = 'create' | 'get' | 'rotate' | 'revoke' | 'revokeUser' | 'listByUser' | 'sweep';

export class MysqlTokenStore implements TokenStore {
  readonly #pool: MysqlQueryable;
  readonly #sql: Record<Op, string>;
  readonly #ddl: string;
  #ready: boolean;
  #creating: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MysqlTokenStoreOptions) {
    const { pool, table = 'holdfast_token_families', createTable = true, sweepInterval = 60_000 } = options ?? ({} as MysqlTokenStoreOptions);
    this.#pool = promisePool(pool);
    this.#ddl = createTokenTableSql(table); // validates the name
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) throw new ConfigError('MysqlTokenStore sweepInterval must be 0 (off) or a number of milliseconds');
    const t = quoteTable(table);
    this.#ready = !createTable;
    this.#sql = {
      create:
        `INSERT INTO ${t} (${FAMILY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE ` +
        'user_id = ?, gen = ?, created_at = ?, used_at = ?, expires_at = ?, rotated_at = ?, revoked_at = ?, claims = ?',
      ...familyStatements(t),
    };
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => void this.sweep(Date.now()).catch(() => undefined), sweepInterval);
      this.#timer.unref();
    }
  }

  async create(family: TokenFamily): Promise<void> {
    if (Buffer.byteLength(family.userId) > MAX_USER_ID_BYTES) throw toStoreError('create', new Error('user ID too long'));
    const values = familyValues(family);
    await this.#run('create', [...values, ...values.slice(1)]);
  }

  async get(handle: string): Promise<TokenFamily | null> {
    if (handle.length > 32) return null;
    const row = rowsOf(await this.#run('get', [handle]))[0];
    return row === undefined ? null : familyFromRow(row);
  }

  async rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean> {
    return matchedRows(await this.#run('rotate', [at, at, handle, fromGen])) === 1;
  }

  async revoke(handle: string, at: EpochMs): Promise<boolean> {
    return matchedRows(await this.#run('revoke', [at, handle])) === 1;
  }

  async revokeUser(userId: string, at: EpochMs): Promise<number> {
    if (Buffer.byteLength(userId) > MAX_USER_ID_BYTES) return 0;
    return matchedRows(await this.#run('revokeUser', [at, userId]));
  }

  async listByUser(userId: string): Promise<TokenFamily[]> {
    if (Buffer.byteLength(userId) > MAX_USER_ID_BYTES) return [];
    return rowsOf(await this.#run('listByUser', [userId])).map(familyFromRow);
  }

  async sweep(now: EpochMs): Promise<number> {
    return affectedRows(await this.#run('sweep', [now]));
  }

  /** Stop the sweep timer. The pool is yours to end. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #run(op: Op, values: MysqlValue[]): Promise<unknown> {
    try {
      if (!this.#ready) {
        this.#creating ??= this.#pool.query(this.#ddl).then(
          () => {
            this.#ready = true;
          },
          (err: unknown) => {
            this.#creating = undefined;
            throw err;
          },
        );
        await this.#creating;
      }
      return (await this.#pool.execute(this.#sql[op], values))[0];
    } catch (err) {
      throw toStoreError(op === 'create' ? 'token create' : `token ${op}`, err);
    }
  }
}
