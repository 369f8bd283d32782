/**
 * What the bridge hands a wrapped express-session store, and how it reads it back.
 *
 * A session record becomes an express-session "session" object:
 *
 *   { cookie: { originalMaxAge, maxAge, expires },        ← for the wrapped store's TTL logic
 *     holdfast: { v: 1, meta: SessionMeta, data: "<JSON object of key → JSON text>" } }
 *
 * `cookie.expires` is `meta.expiresAt` as an ISO string: connect-redis, connect-pg-simple,
 * connect-mongo and express-session's MemoryStore all expire the entry from it.
 * `originalMaxAge` / `maxAge` are the milliseconds left at write time (for stores that read those).
 * The data map travels as one JSON text so hostile keys (`__proto__`, `$x`, `a.b`) are never
 * field names inside the wrapped store (a document store would reject or reinterpret them).
 *
 * A per-user index is a second kind of entry, under an ID no session key can take (session keys
 * are 43-character base64url; index IDs contain a colon):
 *
 *   holdfast-user:<base64url sha256(userId)>  →  { cookie: {…}, holdfastUserIndex: { v: 1, keys: [storeKey, …] } }
 *
 * Everything read back is validated; anything else is a CorruptRecordError.
 */
import { createHash } from 'node:crypto';
import { CorruptRecordError } from '../../core/errors.ts';
import { checkMeta, parseData, stringifyData } from '../../core/record-codec.ts';
import type { EpochMs, SessionRecord } from '../../core/store.ts';

export const INDEX_ID_PREFIX = 'holdfast-user:';

/** The express-session style cookie part the wrapped store computes its TTL from. */
export interface DocumentCookie {
  originalMaxAge: number;
  maxAge: number;
  expires: string;
}

export interface SessionDocument {
  cookie: DocumentCookie;
  holdfast: { v: 1; meta: SessionRecord['meta']; data: string };
}

export interface IndexDocument {
  cookie: DocumentCookie;
  holdfastUserIndex: { v: 1; keys: string[] };
}

/** The ID the per-user index of `userId` is stored under. */
export function indexIdOf(userId: string): string {
  return INDEX_ID_PREFIX + createHash('sha256').update(userId, 'utf8').digest('base64url');
}

/** Largest instant a JS Date can hold (ms); later expiries are clamped to it. */
const MAX_DATE_MS = 8_640_000_000_000_000;

function cookieFor(expiresAt: EpochMs, now: EpochMs): DocumentCookie {
  const at = Math.min(Math.max(Math.ceil(expiresAt), -MAX_DATE_MS), MAX_DATE_MS);
  const left = Math.max(0, at - now);
  return { originalMaxAge: left, maxAge: left, expires: new Date(at).toISOString() };
}

export function toSessionDocument(record: SessionRecord, now: EpochMs): SessionDocument {
  const m = record.meta;
  return {
    cookie: cookieFor(m.expiresAt, now),
    holdfast: {
      v: 1,
      meta: {
        userId: m.userId,
        createdAt: m.createdAt,
        authAt: m.authAt,
        touchedAt: m.touchedAt,
        expiresAt: m.expiresAt,
        ip: m.ip,
        userAgent: m.userAgent,
      },
      data: stringifyData(record.data),
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A wrapped store's answer for a session ID: null when missing, the record, or CorruptRecordError. */
export function fromSessionDocument(value: unknown): SessionRecord | null {
  if (value == null) return null;
  // Some stores (or their serializers) hand back the JSON text itself.
  const doc = typeof value === 'string' ? parseJson(value) : value;
  if (!isObject(doc) || !isObject(doc.holdfast) || doc.holdfast.v !== 1) {
    throw new CorruptRecordError('express-session store returned an entry that is not a holdfast session');
  }
  return { meta: checkMeta(doc.holdfast.meta), data: parseData(doc.holdfast.data) };
}

export function toIndexDocument(keys: readonly string[], expiresAt: EpochMs, now: EpochMs): IndexDocument {
  return { cookie: cookieFor(expiresAt, now), holdfastUserIndex: { v: 1, keys: [...keys] } };
}

/** A per-user index read back: its keys and the expiry it was written with. */
export interface UserIndex {
  keys: string[];
  expiresAt: EpochMs;
}

export function fromIndexDocument(value: unknown): UserIndex | null {
  if (value == null) return null;
  const doc = typeof value === 'string' ? parseJson(value) : value;
  if (!isObject(doc) || !isObject(doc.holdfastUserIndex) || doc.holdfastUserIndex.v !== 1) {
    throw new CorruptRecordError('express-session store returned a per-user index that is not a holdfast index');
  }
  const keys = doc.holdfastUserIndex.keys;
  if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string' && k.length > 0)) {
    throw new CorruptRecordError('express-session store returned a per-user index with malformed keys');
  }
  const expires = isObject(doc.cookie) ? doc.cookie.expires : undefined;
  const expiresAt = typeof expires === 'string' || expires instanceof Date ? new Date(expires).getTime() : Number.NaN;
  if (!Number.isFinite(expiresAt)) {
    throw new CorruptRecordError('express-session store returned a per-user index without a valid expiry');
  }
  return { keys: [...new Set(keys)], expiresAt };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CorruptRecordError('express-session store returned text that is not JSON');
  }
}
