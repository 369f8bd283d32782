/**
 * The SQL text SqliteStore runs, built once per table name. The table name is validated by the
 * caller (identifier characters only) and quoted here; every value is a bound parameter.
 */

/** Table names accepted: an SQL identifier without quoting surprises. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Columns of a full row, in the order the SELECTs return them. */
const COLUMNS = 'key, user_id, data, created_at, auth_at, touched_at, expires_at, ip, user_agent';

/** Columns the per-record read returns, in this order (SqliteStore.getSync reads them by position). */
const READ_COLUMNS = 'user_id, data, created_at, auth_at, touched_at, expires_at, ip, user_agent';

/**
 * Bytes of a stored data document as `encodedDataBytes()` counts them (2 + Σ key + value + 6),
 * computed inside SQLite over a JSON text, so the limit means the same on `set` (checked in JS)
 * and on `patch` (checked in the UPDATE itself).
 */
const dataBytes = (json: string): string =>
  `(SELECT 2 + coalesce(sum(octet_length(j.key) + octet_length(j.value) + 6), 0) FROM json_each(${json}) AS j)`;

export interface SqliteSql {
  schema: string[];
  /** The engine's per-request read: one positional parameter, READ_COLUMNS in order. */
  read: string;
  set: string;
  patch: string;
  /** `patch` for a patch without meta: the data only, stored meta and expiry untouched. */
  patchData: string;
  exists: string;
  touch: string;
  destroy: string;
  listByUser: string;
  destroyByUser: string;
  destroyByUserExcept: string;
  sweep: string;
}

export function buildSql(table: string): SqliteSql {
  const t = `"${table}"`;
  const patched = `json_patch(${t}.data, :patch)`;
  return {
    schema: [
      `CREATE TABLE IF NOT EXISTS ${t} (
        key TEXT PRIMARY KEY NOT NULL,
        user_id TEXT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        auth_at INTEGER NULL,
        touched_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ip TEXT NULL,
        user_agent TEXT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS "${table}_expires_at_idx" ON ${t} (expires_at)`,
      `CREATE INDEX IF NOT EXISTS "${table}_user_id_idx" ON ${t} (user_id) WHERE user_id IS NOT NULL`,
    ],
    read: `SELECT ${READ_COLUMNS} FROM ${t} WHERE key = ?`,
    set: `INSERT INTO ${t} (${COLUMNS})
      VALUES (:key, :userId, :data, :createdAt, :authAt, :touchedAt, :expiresAt, :ip, :userAgent)
      ON CONFLICT (key) DO UPDATE SET
        user_id = excluded.user_id, data = excluded.data, created_at = excluded.created_at,
        auth_at = excluded.auth_at, touched_at = excluded.touched_at, expires_at = excluded.expires_at,
        ip = excluded.ip, user_agent = excluded.user_agent`,
    // One statement: the merge (RFC 7396, string values replace, null removes), the new meta and
    // the size limit are applied together, so concurrent patches of different keys all survive
    // and an oversized result is never written.
    patch: `UPDATE ${t} SET
        data = ${patched},
        user_id = :userId, created_at = :createdAt, auth_at = :authAt, touched_at = :touchedAt,
        expires_at = :expiresAt, ip = :ip, user_agent = :userAgent
      WHERE key = :key AND ${dataBytes(patched)} <= :maxBytes`,
    patchData: `UPDATE ${t} SET data = ${patched} WHERE key = :key AND ${dataBytes(patched)} <= :maxBytes`,
    exists: `SELECT 1 AS found FROM ${t} WHERE key = :key`,
    touch: `UPDATE ${t} SET touched_at = :touchedAt, expires_at = :expiresAt WHERE key = :key`,
    destroy: `DELETE FROM ${t} WHERE key = :key`,
    listByUser: `SELECT ${COLUMNS} FROM ${t} WHERE user_id = :userId`,
    destroyByUser: `DELETE FROM ${t} WHERE user_id = :userId`,
    destroyByUserExcept: `DELETE FROM ${t} WHERE user_id = :userId AND key <> :exceptKey`,
    sweep: `DELETE FROM ${t} WHERE key IN (SELECT key FROM ${t} WHERE expires_at <= :now LIMIT :limit)`,
  };
}
