/**
 * SQL text for PostgresStore: identifier checks, the table definition and every statement the
 * store runs. Nothing here talks to a server.
 *
 * Table layout (times are bigint milliseconds since the epoch, the same numbers as
 * `SessionMeta`; bigint rather than timestamptz so values round-trip exactly and compare with
 * `Date.now()` without conversions):
 *
 *   key         text primary key   -- base64url SHA-256 of the session ID, never the raw ID
 *   user_id     text null          -- indexed for listByUser / destroyByUser
 *   data        jsonb not null     -- object: top-level key → JSON text (a string) of its value
 *   created_at, auth_at (null), touched_at, expires_at (indexed, for sweeps)   bigint
 *   ip, user_agent                 text null
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';

/**
 * Unquoted-identifier shape we accept. At most 48 characters so that the derived index names
 * (`<table>_expires_at_idx`, `<table>_user_id_idx`) stay within PostgreSQL's 63-byte limit and
 * are never truncated into each other.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Validate a table or schema name and return it double-quoted. */
export function quoteIdentifier(name: unknown, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ConfigError(
      `PostgresStore ${what} must be a plain identifier: a letter or underscore, then letters, digits or underscores, at most 48 characters`,
    );
  }
  return `"${name}"`;
}

export interface PgTableNames {
  /** The quoted, possibly schema-qualified table name. */
  table: string;
  expiresIndex: string;
  userIndex: string;
}

export function tableNames(table: string, schema?: string): PgTableNames {
  const qualified = (schema === undefined ? '' : `${quoteIdentifier(schema, 'schema')}.`) + quoteIdentifier(table, 'table');
  return {
    table: qualified,
    // Index names live in the table's schema; CREATE INDEX takes them unqualified.
    expiresIndex: quoteIdentifier(`${table}_expires_at_idx`.slice(0, 63), 'index'),
    userIndex: quoteIdentifier(`${table}_user_id_idx`.slice(0, 63), 'index'),
  };
}

/** The DDL statements, one per array entry (each safe to run again, `IF NOT EXISTS`). */
export function createTableStatements(table = 'holdfast_sessions', schema?: string): string[] {
  const n = tableNames(table, schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${n.table} (
  key text PRIMARY KEY,
  user_id text NULL,
  data jsonb NOT NULL,
  created_at bigint NOT NULL,
  auth_at bigint NULL,
  touched_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  ip text NULL,
  user_agent text NULL
)`,
    `CREATE INDEX IF NOT EXISTS ${n.expiresIndex} ON ${n.table} (expires_at)`,
    `CREATE INDEX IF NOT EXISTS ${n.userIndex} ON ${n.table} (user_id) WHERE user_id IS NOT NULL`,
  ];
}

/**
 * The SQL that creates the session table and its indexes, for people who run migrations
 * themselves (then pass `createTable: false`). The schema, when given, must already exist.
 */
export function createTableSql(table = 'holdfast_sessions', schema?: string): string {
  return createTableStatements(table, schema).map((s) => `${s};\n`).join('');
}

const META_COLUMNS = 'user_id, created_at, auth_at, touched_at, expires_at, ip, user_agent';

/**
 * Bytes of a data object measured exactly as `encodedDataBytes` in record-codec measures it:
 * 2 + Σ (UTF-8 bytes of key + UTF-8 bytes of value text + 6).
 */
const dataBytes = (expr: string): string =>
  `(SELECT 2 + coalesce(sum(octet_length(e.k) + octet_length(e.v) + 6), 0) FROM jsonb_each_text(${expr}) AS e(k, v))`;

export interface PgStatements {
  get: string;
  set: string;
  patch: string;
  /** `patch` without meta: the data only, stored meta and expiry untouched. */
  patchData: string;
  touch: string;
  destroy: string;
  listByUser: string;
  destroyByUser: string;
  sweep: string;
}

export function statements(table: string, schema?: string): PgStatements {
  const t = tableNames(table, schema).table;
  return {
    get: `SELECT data::text AS data, ${META_COLUMNS} FROM ${t} WHERE key = $1`,
    set:
      `INSERT INTO ${t} (key, data, ${META_COLUMNS}) VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9) ` +
      'ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, user_id = EXCLUDED.user_id, created_at = EXCLUDED.created_at, ' +
      'auth_at = EXCLUDED.auth_at, touched_at = EXCLUDED.touched_at, expires_at = EXCLUDED.expires_at, ' +
      'ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent',
    // One statement, no race: the row is locked and read (its latest committed version), the
    // merged data measured, and the UPDATE runs only when it fits. The result says which case:
    // no row → the record is missing; updated = 0 → too large; updated = 1 → written.
    patch:
      `WITH target AS (SELECT key, (data - $2::text[]) || $3::jsonb AS merged FROM ${t} WHERE key = $1 FOR UPDATE), ` +
      `sized AS (SELECT key, merged, ${dataBytes('merged')} AS bytes FROM target), ` +
      `written AS (UPDATE ${t} AS s SET data = sized.merged, user_id = $4, created_at = $5, auth_at = $6, ` +
      'touched_at = $7, expires_at = $8, ip = $9, user_agent = $10 ' +
      'FROM sized WHERE s.key = sized.key AND sized.bytes <= $11 RETURNING 1) ' +
      'SELECT sized.bytes, (SELECT count(*) FROM written) AS updated FROM sized',
    patchData:
      `WITH target AS (SELECT key, (data - $2::text[]) || $3::jsonb AS merged FROM ${t} WHERE key = $1 FOR UPDATE), ` +
      `sized AS (SELECT key, merged, ${dataBytes('merged')} AS bytes FROM target), ` +
      `written AS (UPDATE ${t} AS s SET data = sized.merged ` +
      'FROM sized WHERE s.key = sized.key AND sized.bytes <= $4 RETURNING 1) ' +
      'SELECT sized.bytes, (SELECT count(*) FROM written) AS updated FROM sized',
    touch: `UPDATE ${t} SET touched_at = $2, expires_at = $3 WHERE key = $1`,
    destroy: `DELETE FROM ${t} WHERE key = $1`,
    listByUser: `SELECT key, ${META_COLUMNS} FROM ${t} WHERE user_id = $1`,
    destroyByUser: `DELETE FROM ${t} WHERE user_id = $1 AND ($2::text IS NULL OR key <> $2::text)`,
    sweep:
      `DELETE FROM ${t} WHERE key IN ` +
      `(SELECT key FROM ${t} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  };
}

/**
 * A prepared-statement name derived from the SQL text, so two stores on one pool (different
 * tables) never reuse a name for different text.
 */
export function statementName(text: string): string {
  return `holdfast_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
}
