/**
 * Key layout and hash encoding of the Redis store.
 *
 * Keys (every command and every script touches exactly ONE key, so nothing can ever be CROSSSLOT):
 * - `${prefix}{s:<storeKey>}`  one hash per session. The braces are a Redis Cluster hash tag, so
 *   anything added later that belongs to one session (a lock, a version) can share its slot.
 * - `${prefix}{u:<base64url(userId)>}`  a sorted set per user: member = store key,
 *   score = that session's `expiresAt`. The user ID is base64url-encoded (UTF-8), so IDs with
 *   `{`, `}`, `:` or anything else can neither break the hash tag nor collide with each other.
 *   The set expires (PEXPIREAT) with its furthest member.
 *
 * Session hash fields: data keys are `d:<key>` (any string, verbatim, `__proto__` included),
 * metadata fields start with `m:` so no data key can collide with them:
 *   m:u  userId (absent = null)      m:c  createdAt      m:a  authAt (absent = null)
 *   m:t  touchedAt                   m:e  expiresAt      m:ip ip (absent = null)
 *   m:ua userAgent (absent = null)   m:s  encoded data size in bytes, as `encodedDataBytes` counts
 * Times are decimal strings of milliseconds since the epoch. The hash itself gets
 * PEXPIREAT = ceil(expiresAt) on every set, patch and touch.
 */
import { StoreError } from '../../core/errors.ts';
import { checkMeta, emptyData } from '../../core/record-codec.ts';
import type { EncodedData, SessionMeta, SessionRecord } from '../../core/store.ts';

export const DATA_PREFIX = 'd:';
export const F_USER = 'm:u';
export const F_CREATED = 'm:c';
export const F_AUTH = 'm:a';
export const F_TOUCHED = 'm:t';
export const F_EXPIRES = 'm:e';
export const F_IP = 'm:ip';
export const F_UA = 'm:ua';
export const F_SIZE = 'm:s';

/** The metadata fields in a fixed order (HMGET for listings). */
export const META_FIELDS = [F_USER, F_CREATED, F_AUTH, F_TOUCHED, F_EXPIRES, F_IP, F_UA] as const;

export function sessionKey(prefix: string, storeKey: string): string {
  return `${prefix}{s:${storeKey}}`;
}

export function userKey(prefix: string, userId: string): string {
  return `${prefix}{u:${Buffer.from(userId, 'utf8').toString('base64url')}}`;
}

/** A time as Redis gets it: a finite number, written so `Number()` gives it back exactly. */
export function timeArg(value: number, what: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreError(`session ${what} must be a finite number of milliseconds`);
  return String(value);
}

/** PEXPIREAT / sorted-set score: whole milliseconds, never earlier than the record's expiry. */
export function expiryArg(expiresAt: number): string {
  timeArg(expiresAt, 'expiresAt');
  return String(Math.max(0, Math.ceil(expiresAt)));
}

/**
 * Metadata as [field, value] pairs for the fields that are set, plus the nullable fields that
 * are null (to be removed by a patch).
 */
export function metaFields(meta: SessionMeta): { pairs: string[]; absent: string[] } {
  const pairs: string[] = [];
  const absent: string[] = [];
  const opt = (field: string, value: string | null): void => {
    if (value === null) absent.push(field);
    else if (typeof value === 'string') pairs.push(field, value);
    else throw new StoreError('session metadata has a field of the wrong type');
  };
  opt(F_USER, meta.userId);
  pairs.push(F_CREATED, timeArg(meta.createdAt, 'createdAt'));
  opt(F_AUTH, meta.authAt === null ? null : timeArg(meta.authAt, 'authAt'));
  pairs.push(F_TOUCHED, timeArg(meta.touchedAt, 'touchedAt'));
  pairs.push(F_EXPIRES, timeArg(meta.expiresAt, 'expiresAt'));
  opt(F_IP, meta.ip);
  opt(F_UA, meta.userAgent);
  return { pairs, absent };
}

const time = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
};

/** Build and validate metadata from the values of the `m:` fields (undefined = absent). */
export function decodeMeta(get: (field: string) => string | undefined): SessionMeta {
  return checkMeta({
    userId: get(F_USER) ?? null,
    createdAt: time(get(F_CREATED)),
    authAt: get(F_AUTH) === undefined ? null : time(get(F_AUTH)),
    touchedAt: time(get(F_TOUCHED)),
    expiresAt: time(get(F_EXPIRES)),
    ip: get(F_IP) ?? null,
    userAgent: get(F_UA) ?? null,
  });
}

/**
 * Normalise a HGETALL reply (flat array in RESP2, object or Map in RESP3 / ioredis) into a
 * null-prototype field map. Field names here always start with `d:` or `m:`.
 */
export function hashFields(reply: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const put = (field: unknown, value: unknown): void => {
    const f = typeof field === 'string' ? field : Buffer.isBuffer(field) ? field.toString('utf8') : undefined;
    const v = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
    if (f === undefined || v === undefined) throw new StoreError('Redis returned a session hash that is not text');
    out.set(f, v);
  };
  if (reply == null) return out;
  if (Array.isArray(reply)) {
    if (reply.length % 2 !== 0) throw new StoreError('Redis returned a malformed session hash');
    for (let i = 0; i < reply.length; i += 2) put(reply[i], reply[i + 1]);
  } else if (reply instanceof Map) {
    for (const [field, value] of reply) put(field, value);
  } else if (typeof reply === 'object') {
    for (const field of Object.keys(reply)) put(field, (reply as Record<string, unknown>)[field]);
  } else {
    throw new StoreError('Redis returned a session hash of an unexpected type');
  }
  return out;
}

/** A whole record from a session hash; null when the hash is empty (missing). */
export function decodeRecord(fields: Map<string, string>): SessionRecord | null {
  if (fields.size === 0) return null;
  const data: EncodedData = emptyData();
  for (const [field, value] of fields) {
    if (field.startsWith(DATA_PREFIX)) data[field.slice(DATA_PREFIX.length)] = value;
  }
  return { meta: decodeMeta((field) => fields.get(field)), data };
}

/** Text of a nullable string reply element (RESP nil → undefined). */
export function textOrUndefined(value: unknown): string | undefined {
  if (value == null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number') return String(value);
  throw new StoreError('Redis returned a reply of an unexpected type');
}
