/**
 * SQL text for MysqlStore (MySQL 8 and MariaDB 10.4+). Nothing here talks to a server.
 *
 * One DDL serves both servers: `JSON` is a native binary type on MySQL and, on MariaDB, an alias
 * for `LONGTEXT COLLATE utf8mb4_bin CHECK (JSON_VALID(data))`. Every statement is written with
 * functions both implement the same way (JSON_MERGE_PATCH, LENGTH, CAST(... AS CHAR)), so the
 * store does not detect the server (no SELECT VERSION()). What does differ, for the record:
 * - MySQL stores JSON in a binary form and re-serialises it on read (keys sorted, `{"k": "v"}`
 *   spacing); MariaDB keeps the text JSON_MERGE_PATCH produced (same spacing, insertion order).
 *   The store reads `CAST(data AS CHAR)` and parses it itself, so neither shape leaks out, and
 *   mysql2's automatic JSON parsing of native JSON columns never applies.
 * - The size check of `patch` measures that server text with LENGTH(): the same formula on both,
 *   within a few bytes of each other (key order does not change the length).
 * - `ON DUPLICATE KEY UPDATE` binds the values twice instead of VALUES(col), deprecated on MySQL
 *   8.0.20+, or `AS new`, which MariaDB does not have.
 * - MySQL 8.0.22+ refuses `LIMIT ?` bound as a DOUBLE (mysql2 binds numbers that way), so the
 *   sweep batch size is validated and written into the statement text instead.
 *
 * Tested against MariaDB 10.11; MySQL 8 only by reading its manual (no server at hand).
 *
 * Table layout (times are BIGINT milliseconds since the epoch):
 *   key         VARCHAR(64) ascii_bin primary key  -- base64url, case-sensitive: binary collation
 *                                                  -- (PAD SPACE is moot: keys with spaces are refused)
 *   user_id     VARBINARY(767) null, indexed       -- UTF-8 bytes; binary so 'bob' and 'bob ' differ
 *                              -- (utf8mb4_bin pads on both; the NO PAD binary collations are
 *                              -- named differently: utf8mb4_0900_bin vs utf8mb4_nopad_bin)
 *   data        JSON: object, top-level key → JSON text (a string) of its value
 *   created_at, auth_at (null), touched_at, expires_at (indexed)   BIGINT
 *   ip, user_agent                                                  TEXT null
 */
import { ConfigError } from '../../core/errors.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Longest key (characters) and user ID (UTF-8 bytes) the columns hold; checked before writing. */
export const MAX_KEY_LENGTH = 64;
export const MAX_USER_ID_BYTES = 767;

/** Validate a table name (optionally `database.table`) and return it backtick-quoted. */
export function quoteTable(name: unknown): string {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new ConfigError(
      'MysqlStore table must be a plain identifier (optionally database.table): a letter or underscore, then letters, digits or underscores, at most 64 characters',
    );
  }
  return parts.map((p) => `\`${p}\``).join('.');
}

export function createTableSql(table = 'holdfast_sessions'): string {
  const t = quoteTable(table);
  return `CREATE TABLE IF NOT EXISTS ${t} (
  \`key\` VARCHAR(${MAX_KEY_LENGTH}) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARBINARY(${MAX_USER_ID_BYTES}) NULL,
  data JSON NOT NULL,
  created_at BIGINT NOT NULL,
  auth_at BIGINT NULL,
  touched_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ip TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  user_agent TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  PRIMARY KEY (\`key\`),
  KEY expires_at_idx (expires_at),
  KEY user_id_idx (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

const META_COLUMNS = 'user_id, created_at, auth_at, touched_at, expires_at, ip, user_agent';

export interface MysqlStatements {
  get: string;
  set: string;
  patch: string;
  /** `patch` without meta: the data only, stored meta and expiry untouched. Parameters: patch, key, patch, max bytes. */
  patchData: string;
  patchCheck: string;
  touch: string;
  destroy: string;
  listByUser: string;
  destroyByUser: string;
  destroyByUserExcept: string;
  sweep: string;
}

export function statements(table: string, sweepBatch: number): MysqlStatements {
  const t = quoteTable(table);
  if (!Number.isInteger(sweepBatch) || sweepBatch < 1) throw new ConfigError('MysqlStore sweepBatch must be a positive integer');
  return {
    get: `SELECT CAST(data AS CHAR) AS data, ${META_COLUMNS} FROM ${t} WHERE \`key\` = ?`,
    // REPLACE would delete + insert; this keeps the row and replaces every column. The values are
    // bound twice (VALUES() is deprecated on MySQL 8.0.20+, its `AS new` replacement is not in MariaDB).
    set:
      `INSERT INTO ${t} (\`key\`, data, ${META_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      'ON DUPLICATE KEY UPDATE data = ?, user_id = ?, created_at = ?, auth_at = ?, touched_at = ?, expires_at = ?, ' +
      'ip = ?, user_agent = ?',
    // The WHERE sees the old row, so the merged document is measured before it is written.
    // Parameters: patch, meta × 7, key, patch, max bytes.
    patch:
      `UPDATE ${t} SET data = JSON_MERGE_PATCH(data, ?), user_id = ?, created_at = ?, auth_at = ?, ` +
      'touched_at = ?, expires_at = ?, ip = ?, user_agent = ? ' +
      'WHERE `key` = ? AND LENGTH(JSON_MERGE_PATCH(data, ?)) <= ?',
    patchData: `UPDATE ${t} SET data = JSON_MERGE_PATCH(data, ?) WHERE \`key\` = ? AND LENGTH(JSON_MERGE_PATCH(data, ?)) <= ?`,
    patchCheck: `SELECT LENGTH(JSON_MERGE_PATCH(data, ?)) AS bytes FROM ${t} WHERE \`key\` = ?`,
    touch: `UPDATE ${t} SET touched_at = ?, expires_at = ? WHERE \`key\` = ?`,
    destroy: `DELETE FROM ${t} WHERE \`key\` = ?`,
    listByUser: `SELECT \`key\`, ${META_COLUMNS} FROM ${t} WHERE user_id = ?`,
    destroyByUser: `DELETE FROM ${t} WHERE user_id = ?`,
    destroyByUserExcept: `DELETE FROM ${t} WHERE user_id = ? AND \`key\` <> ?`,
    sweep: `DELETE FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ${sweepBatch}`,
  };
}
