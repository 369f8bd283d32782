/**
 * SQL rows ↔ token families, shared by the SQL token stores. Column names are the same in every
 * dialect: handle, user_id, gen, created_at, used_at, expires_at, rotated_at, revoked_at, claims.
 * Integers may arrive as numbers, bigints or strings (pg's bigint); anything malformed is a
 * CorruptRecordError, never a half-valid family.
 */
import { CorruptRecordError } from '../core/errors.ts';
import { isTokenFamily, type TokenFamily } from './store.ts';

export const FAMILY_COLUMNS = 'handle, user_id, gen, created_at, used_at, expires_at, rotated_at, revoked_at, claims';

const int = (value: unknown): unknown => {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return value;
};
const text = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString('utf8') : value);

export function familyFromRow(row: Record<string, unknown>): TokenFamily {
  const family = {
    handle: text(row.handle),
    userId: text(row.user_id),
    gen: int(row.gen),
    createdAt: int(row.created_at),
    usedAt: int(row.used_at),
    expiresAt: int(row.expires_at),
    rotatedAt: row.rotated_at === null ? null : int(row.rotated_at),
    revokedAt: row.revoked_at === null ? null : int(row.revoked_at),
    claims: text(row.claims),
  };
  if (!isTokenFamily(family)) throw new CorruptRecordError('token store returned a family row that is not well-formed');
  return family;
}

/** Positional values in FAMILY_COLUMNS order. */
export function familyValues(f: TokenFamily): (string | number | null)[] {
  return [f.handle, f.userId, f.gen, f.createdAt, f.usedAt, f.expiresAt, f.rotatedAt, f.revokedAt, f.claims];
}

/**
 * The statements every SQL token store runs besides its dialect's upsert, with `?` placeholders
 * (SQLite, MySQL/MariaDB). `table` comes quoted. `rotate` is the compare-and-swap: it changes a
 * row only while its generation is the one presented and the family is not revoked.
 */
export function familyStatements(table: string): Record<'get' | 'rotate' | 'revoke' | 'revokeUser' | 'listByUser' | 'sweep', string> {
  return {
    get: `SELECT ${FAMILY_COLUMNS} FROM ${table} WHERE handle = ?`,
    rotate: `UPDATE ${table} SET gen = gen + 1, rotated_at = ?, used_at = ? WHERE handle = ? AND gen = ? AND revoked_at IS NULL`,
    revoke: `UPDATE ${table} SET revoked_at = ? WHERE handle = ? AND revoked_at IS NULL`,
    revokeUser: `UPDATE ${table} SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
    listByUser: `SELECT ${FAMILY_COLUMNS} FROM ${table} WHERE user_id = ? AND revoked_at IS NULL`,
    sweep: `DELETE FROM ${table} WHERE expires_at <= ?`,
  };
}
