/**
 * Turning pg rows into store values, and pg failures into StoreErrors. Every value read back is
 * validated: a garbage row becomes a StoreError, never a half-valid session.
 */
import { CorruptRecordError, HoldfastError, StoreError } from '../../core/errors.ts';
import { checkMeta, parseData } from '../../core/record-codec.ts';
import type { SessionMeta, SessionRecord, UserSessionEntry } from '../../core/store.ts';

type Row = Record<string, unknown>;

/** bigint columns arrive as strings by default (or numbers / bigints with custom type parsers). */
export function rowToMeta(row: Row): SessionMeta {
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

export function rowToRecord(row: Row): SessionRecord {
  // `data` is selected as `data::text`, so the pg jsonb type parser (or a user's override of it)
  // never gets a say: the codec parses and validates.
  return { meta: rowToMeta(row), data: parseData(row.data) };
}

export function rowToEntry(row: Row): UserSessionEntry {
  if (typeof row.key !== 'string') throw new CorruptRecordError('session store returned a row without a key');
  return { key: row.key, meta: rowToMeta(row) };
}

const SAFE_CODE = /^[A-Za-z0-9_]{1,40}$/;

/**
 * Wrap whatever pg threw. The message names the operation and the SQLSTATE / socket code, never
 * a value (pg's own messages can quote input, so they stay on `cause` for the operator).
 */
export function toStoreError(store: string, op: string, err: unknown): Error {
  if (err instanceof HoldfastError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' && SAFE_CODE.test(code) ? ` (${code})` : '';
  return new StoreError(`${store} ${op} failed${suffix}`, { cause: err });
}
