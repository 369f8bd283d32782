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
import { checkMeta, emptyData, isCheckedMeta } from '../../core/record-codec.ts';
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
  return metaOf(get(F_USER), get(F_CREATED), get(F_AUTH), get(F_TOUCHED), get(F_EXPIRES), get(F_IP), get(F_UA));
}

function metaOf(
  user: string | undefined,
  created: string | undefined,
  auth: string | undefined,
  touched: string | undefined,
  expires: string | undefined,
  ip: string | undefined,
  ua: string | undefined,
): SessionMeta {
  const meta = {
    userId: user ?? null,
    createdAt: time(created),
    authAt: auth === undefined ? null : time(auth),
    touchedAt: time(touched),
    expiresAt: time(expires),
    ip: ip ?? null,
    userAgent: ua ?? null,
  };
  return isCheckedMeta(meta) ? meta : checkMeta(meta);
}

/**
 * A HGETALL reply (flat array in RESP2, object or Map in RESP3 / ioredis) as a flat
 * [field, value, field, value, ...] array of strings. Field names here always start with `d:` or `m:`.
 */
export function hashFields(reply: unknown): string[] {
  if (reply == null) return [];
  if (Array.isArray(reply)) {
    if (reply.length % 2 !== 0) throw new StoreError('Redis returned a malformed session hash');
    let out: unknown[] = reply;
    for (let i = 0; i < reply.length; i++) {
      const item: unknown = reply[i];
      if (typeof item === 'string') continue;
      if (!Buffer.isBuffer(item)) throw new StoreError('Redis returned a session hash that is not text');
      if (out === reply) out = [...reply];
      out[i] = item.toString('utf8');
    }
    return out as string[];
  }
  const out: string[] = [];
  const put = (field: unknown, value: unknown): void => {
    const f = typeof field === 'string' ? field : Buffer.isBuffer(field) ? field.toString('utf8') : undefined;
    const v = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
    if (f === undefined || v === undefined) throw new StoreError('Redis returned a session hash that is not text');
    out.push(f, v);
  };
  if (reply instanceof Map) {
    for (const [field, value] of reply) put(field, value);
  } else if (typeof reply === 'object') {
    for (const field of Object.keys(reply)) put(field, (reply as Record<string, unknown>)[field]);
  } else {
    throw new StoreError('Redis returned a session hash of an unexpected type');
  }
  return out;
}

/**
 * The data key of each `d:` field name seen so far. A key freshly sliced off a reply string is not
 * internalized, and V8 then turns every store into the null-prototype data map into a slow runtime
 * call (~0.6 µs per key, measured on Node 24); a key it has seen once is stored at normal speed.
 * Apps use few distinct keys; past the bound, keys are sliced as before.
 */
const dataKeys = new Map<string, string>();
const MAX_CACHED_DATA_KEYS = 1024;

function dataKeyOf(field: string): string {
  let key = dataKeys.get(field);
  if (key === undefined) {
    key = field.slice(DATA_PREFIX.length);
    if (dataKeys.size < MAX_CACHED_DATA_KEYS) dataKeys.set(field, key);
  }
  return key;
}

/** A whole record from a session hash's fields (`hashFields`); null when the hash is empty (missing). */
export function decodeRecord(fields: readonly string[]): SessionRecord | null {
  if (fields.length === 0) return null;
  const data: EncodedData = emptyData();
  let user: string | undefined;
  let created: string | undefined;
  let auth: string | undefined;
  let touched: string | undefined;
  let expires: string | undefined;
  let ip: string | undefined;
  let ua: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const field = fields[i] as string;
    const value = fields[i + 1] as string;
    if (field.startsWith(DATA_PREFIX)) {
      data[dataKeyOf(field)] = value;
      continue;
    }
    switch (field) {
      case F_USER:
        user = value;
        break;
      case F_CREATED:
        created = value;
        break;
      case F_AUTH:
        auth = value;
        break;
      case F_TOUCHED:
        touched = value;
        break;
      case F_EXPIRES:
        expires = value;
        break;
      case F_IP:
        ip = value;
        break;
      case F_UA:
        ua = value;
        break;
    }
  }
  return { meta: metaOf(user, created, auth, touched, expires, ip, ua), data };
}

/** Text of a nullable string reply element (RESP nil → undefined). */
export function textOrUndefined(value: unknown): string | undefined {
  if (value == null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number') return String(value);
  throw new StoreError('Redis returned a reply of an unexpected type');
}
