/**
 * Helpers every store shares for turning records into bytes and back, with the same limits and
 * the same refusal of garbage everywhere.
 */
import { CorruptRecordError, RecordTooLargeError } from './errors.ts';
import type { EncodedData, SessionMeta, SessionRecord } from './store.ts';

/** Default upper bound on one record's encoded data, in bytes (UTF-8). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** A fresh null-prototype data map: hostile keys such as `__proto__` stay plain keys. */
export function emptyData(): EncodedData {
  return Object.create(null) as EncodedData;
}

/** Copy entries into a null-prototype map (never `Object.assign` onto `{}`). */
export function toNullProto(source: Record<string, string>): EncodedData {
  const out = emptyData();
  for (const key of Object.keys(source)) out[key] = source[key] as string;
  return out;
}

/** What `encodedDataBytes` counts for an empty map. */
const EMPTY_DATA_BYTES = 2;

/** Size in bytes of the data part of a record, as stores that keep one document see it. */
export function encodedDataBytes(data: EncodedData): number {
  let bytes = EMPTY_DATA_BYTES;
  for (const key of Object.keys(data)) bytes += dataEntryBytes(key, data[key] as string);
  return bytes;
}

/** What one entry adds to `encodedDataBytes` (so a store can keep the total up to date per key). */
export function dataEntryBytes(key: string, text: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(text) + 6;
}

/** Throws `RecordTooLargeError` (with sizes, never contents) when data exceeds `maxBytes`. */
export function assertDataSize(data: EncodedData, maxBytes: number): void {
  assertDataBytes(encodedDataBytes(data), maxBytes);
}

/** `assertDataSize` for a size already counted. */
export function assertDataBytes(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new RecordTooLargeError(
      `session data is ${bytes} bytes, over this store's limit of ${maxBytes} bytes; ` +
        'keep large objects out of the session (store an ID and load the object) or raise maxRecordBytes',
    );
  }
}

/** Serialise a data map as one JSON object whose values are the JSON texts. */
export function stringifyData(data: EncodedData): string {
  return JSON.stringify(data);
}

/** Parse what `stringifyData` made; anything else is a `CorruptRecordError` (a `StoreError`). */
export function parseData(text: unknown): EncodedData {
  if (typeof text !== 'string') throw new CorruptRecordError('session store returned data that is not text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CorruptRecordError('session store returned data that is not valid JSON');
  }
  return checkData(parsed);
}

/** Validate an already-parsed data map (object of strings) and return a null-prototype copy. */
export function checkData(value: unknown): EncodedData {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorruptRecordError('session store returned data that is not an object');
  }
  const out = emptyData();
  for (const key of Object.keys(value)) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry !== 'string') throw new CorruptRecordError('session store returned a data entry that is not JSON text');
    out[key] = entry;
  }
  return out;
}

// Times are ms since the epoch: finite and not negative, whether the driver gave a number or a numeric string.
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Validate metadata read back from a store (numbers may arrive as numeric strings from SQL drivers). */
export function checkMeta(value: unknown): SessionMeta {
  if (value === null || typeof value !== 'object') throw new CorruptRecordError('session store returned metadata that is not an object');
  const v = value as Record<string, unknown>;
  const num = (x: unknown): unknown => (typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : typeof x === 'bigint' ? Number(x) : x);
  const meta = {
    userId: v.userId ?? null,
    createdAt: num(v.createdAt),
    authAt: v.authAt == null ? null : num(v.authAt),
    touchedAt: num(v.touchedAt),
    expiresAt: num(v.expiresAt),
    ip: v.ip ?? null,
    userAgent: v.userAgent ?? null,
  };
  if (
    !isNullableString(meta.userId) ||
    !isTime(meta.createdAt) ||
    !(meta.authAt === null || isTime(meta.authAt)) ||
    !isTime(meta.touchedAt) ||
    !isTime(meta.expiresAt) ||
    !isNullableString(meta.ip) ||
    !isNullableString(meta.userAgent)
  ) {
    throw new CorruptRecordError('session store returned malformed metadata');
  }
  return meta as SessionMeta;
}

/** Validate a whole record from a store. */
export function checkRecord(value: unknown): SessionRecord {
  if (value === null || typeof value !== 'object') throw new CorruptRecordError('session store returned a record that is not an object');
  const v = value as Record<string, unknown>;
  return { meta: checkMeta(v.meta), data: checkData(v.data) };
}

/**
 * Whether a record is already exactly what `checkRecord` would make of it (numbers as numbers,
 * data a null-prototype map of strings), so it can be used as is, without a copy.
 */
export function isCheckedRecord(value: unknown): value is SessionRecord {
  if (value === null || typeof value !== 'object') return false;
  const { meta, data } = value as Partial<SessionRecord>;
  if (!isCheckedMeta(meta) || data === null || typeof data !== 'object' || Object.getPrototypeOf(data) !== null) return false;
  for (const key in data) if (typeof data[key] !== 'string') return false;
  return true;
}

/** Whether metadata is already exactly what `checkMeta` would make of it (no copy needed). */
export function isCheckedMeta(value: unknown): value is SessionMeta {
  if (value === null || typeof value !== 'object') return false;
  const meta = value as Record<string, unknown>;
  return (
    isNullableString(meta.userId) &&
    isTime(meta.createdAt) &&
    (meta.authAt === null || isTime(meta.authAt)) &&
    isTime(meta.touchedAt) &&
    isTime(meta.expiresAt) &&
    isNullableString(meta.ip) &&
    isNullableString(meta.userAgent)
  );
}

/** Apply a per-key patch to a data map in place (used by stores that merge in JS). */
export function applyDataPatch(data: EncodedData, set: EncodedData, unset: readonly string[]): void {
  for (const key of unset) delete data[key];
  for (const key of Object.keys(set)) data[key] = set[key] as string;
}
