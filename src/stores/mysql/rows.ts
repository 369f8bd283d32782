/**
 * Turning mysql2 rows and results into store values, and driver failures into StoreErrors.
 */
import { CorruptRecordError, HoldfastError, StoreError } from '../../core/errors.ts';
import { checkData, checkMeta, parseData } from '../../core/record-codec.ts';
import type { SessionMeta, SessionRecord, UserSessionEntry } from '../../core/store.ts';

type Row = Record<string, unknown>;

/** user_id is VARBINARY: mysql2 hands it over as a Buffer of UTF-8. */
const text = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString('utf8') : value);

export function rowToMeta(row: Row): SessionMeta {
  return checkMeta({
    userId: text(row.user_id),
    createdAt: row.created_at,
    authAt: row.auth_at,
    touchedAt: row.touched_at,
    expiresAt: row.expires_at,
    ip: text(row.ip),
    userAgent: text(row.user_agent),
  });
}

export function rowToRecord(row: Row): SessionRecord {
  const data = row.data;
  // Selected as CAST(data AS CHAR): text. A Buffer shows up when a pool's typeCast or charset
  // settings turn it into bytes; an object only if a typeCast parsed it already.
  if (Buffer.isBuffer(data)) return { meta: rowToMeta(row), data: parseData(data.toString('utf8')) };
  if (data !== null && typeof data === 'object') return { meta: rowToMeta(row), data: checkData(data) };
  return { meta: rowToMeta(row), data: parseData(data) };
}

export function rowToEntry(row: Row): UserSessionEntry {
  const key = Buffer.isBuffer(row.key) ? row.key.toString('latin1') : row.key;
  if (typeof key !== 'string') throw new CorruptRecordError('session store returned a row without a key');
  return { key, meta: rowToMeta(row) };
}

export function rowsOf(result: unknown): Row[] {
  if (!Array.isArray(result)) throw new StoreError('session store returned an unexpected result (not rows)');
  return result as Row[];
}

/**
 * Rows an UPDATE matched (not only those it changed: an identical touch still counts). mysql2
 * asks for FOUND_ROWS by default, making affectedRows the matched count; the OK packet's info
 * text ("Rows matched: 1  Changed: 0  Warnings: 0") says it regardless of connection flags.
 */
export function matchedRows(result: unknown): number {
  const header = result as { affectedRows?: unknown; info?: unknown } | null;
  if (header === null || typeof header !== 'object') throw new StoreError('session store returned an unexpected result (no row count)');
  if (typeof header.info === 'string') {
    const match = /Rows matched:\s*(\d+)/i.exec(header.info);
    if (match !== null) return Number(match[1]);
  }
  return affectedRows(result);
}

export function affectedRows(result: unknown): number {
  const count = (result as { affectedRows?: unknown } | null)?.affectedRows;
  if (typeof count !== 'number') throw new StoreError('session store returned an unexpected result (no row count)');
  return count;
}

const SAFE_CODE = /^[A-Za-z0-9_]{1,40}$/;

/**
 * Wrap whatever mysql2 threw. The message names the operation and the error code, never a
 * value (server messages such as "Duplicate entry '…'" quote input; they stay on `cause`).
 */
export function toStoreError(op: string, err: unknown): Error {
  if (err instanceof HoldfastError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' && SAFE_CODE.test(code) ? ` (${code})` : '';
  return new StoreError(`MysqlStore ${op} failed${suffix}`, { cause: err });
}
