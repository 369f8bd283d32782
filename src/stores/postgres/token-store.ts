/**
 * Token families in PostgreSQL, on a `pg` Pool you create (and end). One row per family; the
 * table is created on first use (`createTable: false` if you run `createTokenTableSql()` in your
 * own migrations). `rotate` is one `UPDATE … WHERE handle = $1 AND gen = $2 AND revoked_at IS
 * NULL`: the row lock makes it a compare-and-swap — of N concurrent rotations, one matches.
 *
 *   const store = new PostgresTokenStore({ pool });
 */
import { ConfigError } from '../../core/errors.ts';
import { FAMILY_COLUMNS, familyFromRow, familyValues } from '../../tokens/family-row.ts';
import type { EpochMs, TokenFamily, TokenStore } from '../../tokens/store.ts';
import { runCreateStatements } from './create-table.ts';
import type { PgQueryable } from './index.ts';
import { toStoreError } from './rows.ts';
import { quoteIdentifier, statementName } from './sql.ts';

export interface PostgresTokenStoreOptions {
  pool: PgQueryable;
  /** Table name. Default `holdfast_token_families`. Letters, digits, underscores; at most 48 characters. */
  table?: string;
  /** Schema holding the table (must exist). Default: the connection's search_path. */
  schema?: string;
  /** Create the table and indexes on first use. Default true. */
  createTable?: boolean;
  /** How often expired families are deleted, in ms; 0 disables. Default 60,000. */
  sweepInterval?: number;
}


function names(table: string, schema?: string): { t: string; userIdx: string; expiresIdx: string } {
  const t = (schema === undefined ? '' : `${quoteIdentifier(schema, 'schema')}.`) + quoteIdentifier(table, 'table');
  return { t, userIdx: quoteIdentifier(`${table}_user_idx`, 'index'), expiresIdx: quoteIdentifier(`${table}_expires_idx`, 'index') };
}

function ddl(table: string, schema?: string): string[] {
  const n = names(table, schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${n.t} (
  handle text PRIMARY KEY,
  user_id text NOT NULL,
  gen bigint NOT NULL,
  created_at bigint NOT NULL,
  used_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  rotated_at bigint NULL,
  revoked_at bigint NULL,
  claims text NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${n.userIdx} ON ${n.t} (user_id)`,
    `CREATE INDEX IF NOT EXISTS ${n.expiresIdx} ON ${n.t} (expires_at)`,
  ];
}

/** The SQL that creates the token table, for your own migrations (then `createTable: false`). */
export function createTokenTableSql(table = 'holdfast_token_families', schema?: string): string {
  return ddl(table, schema).map((s) => `${s};\n`).join('');
}

type Op = 'create' | 'get' | 'rotate' | 'revoke' | 'revokeUser' | 'listByUser' | 'sweep';

export class PostgresTokenStore implements TokenStore {
  readonly #pool: PgQueryable;
  readonly #sql: Record<Op, string>;
  readonly #ddl: string[];
  #ready: boolean;
  #creating: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: PostgresTokenStoreOptions) {
    const { pool, table = 'holdfast_token_families', schema, createTable = true, sweepInterval = 60_000 } = options ?? ({} as PostgresTokenStoreOptions);
    if (pool == null || typeof pool.query !== 'function') throw new ConfigError('PostgresTokenStore needs { pool }: a pg Pool, e.g. new pg.Pool({ connectionString })');
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) throw new ConfigError('PostgresTokenStore sweepInterval must be 0 (off) or a number of milliseconds');
    const { t } = names(table, schema);
    this.#pool = pool;
    this.#ddl = ddl(table, schema);
    this.#ready = !createTable;
    this.#sql = {
      create:
        `INSERT INTO ${t} (${FAMILY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (handle) DO UPDATE SET ` +
        'user_id = EXCLUDED.user_id, gen = EXCLUDED.gen, created_at = EXCLUDED.created_at, used_at = EXCLUDED.used_at, ' +
        'expires_at = EXCLUDED.expires_at, rotated_at = EXCLUDED.rotated_at, revoked_at = EXCLUDED.revoked_at, claims = EXCLUDED.claims',
      get: `SELECT ${FAMILY_COLUMNS} FROM ${t} WHERE handle = $1`,
      rotate: `UPDATE ${t} SET gen = gen + 1, rotated_at = $3, used_at = $3 WHERE handle = $1 AND gen = $2 AND revoked_at IS NULL`,
      revoke: `UPDATE ${t} SET revoked_at = $2 WHERE handle = $1 AND revoked_at IS NULL`,
      revokeUser: `UPDATE ${t} SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
      listByUser: `SELECT ${FAMILY_COLUMNS} FROM ${t} WHERE user_id = $1 AND revoked_at IS NULL`,
      sweep: `DELETE FROM ${t} WHERE expires_at <= $1`,
    };
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => void this.sweep(Date.now()).catch(() => undefined), sweepInterval);
      this.#timer.unref();
    }
  }

  async create(family: TokenFamily): Promise<void> {
    await this.#run('create', familyValues(family));
  }

  async get(handle: string): Promise<TokenFamily | null> {
    const { rows } = await this.#run('get', [handle]);
    return rows[0] === undefined ? null : familyFromRow(rows[0] as Record<string, unknown>);
  }

  async rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean> {
    return ((await this.#run('rotate', [handle, fromGen, at])).rowCount ?? 0) === 1;
  }

  async revoke(handle: string, at: EpochMs): Promise<boolean> {
    return ((await this.#run('revoke', [handle, at])).rowCount ?? 0) === 1;
  }

  async revokeUser(userId: string, at: EpochMs): Promise<number> {
    return (await this.#run('revokeUser', [userId, at])).rowCount ?? 0;
  }

  async listByUser(userId: string): Promise<TokenFamily[]> {
    const { rows } = await this.#run('listByUser', [userId]);
    return rows.map((row) => familyFromRow(row as Record<string, unknown>));
  }

  async sweep(now: EpochMs): Promise<number> {
    return (await this.#run('sweep', [now])).rowCount ?? 0;
  }

  /** Stop the sweep timer. The pool is yours to end. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #run(op: Op, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    try {
      if (!this.#ready) await this.#ensureTable();
      const text = this.#sql[op];
      return await this.#pool.query({ name: statementName(text), text, values });
    } catch (err) {
      throw toStoreError('PostgresTokenStore', op, err);
    }
  }

  #ensureTable(): Promise<void> {
    this.#creating ??= (async () => {
      await runCreateStatements(this.#pool, this.#ddl);
      this.#ready = true;
    })().catch((err: unknown) => {
      this.#creating = undefined;
      throw err;
    });
    return this.#creating;
  }
}
