/**
 * Shared inputs for the store conformance suite: random keys and users (so one store can serve
 * every test, even across runs), metadata builders and the hostile keys and values a store must
 * move verbatim.
 */
import { randomBytes } from 'node:crypto';
import type { EncodedData, SessionMeta, SessionRecord, SessionStore } from '../core/store.ts';

export interface StoreFactory {
  /** Called once per suite; the store serves every test (all keys and users are random). */
  create(): Promise<SessionStore>;
  /** Called once after the suite with the store `create` returned. */
  teardown?(store: SessionStore): Promise<void>;
  /** The store's record limit when not the default 1 MiB. */
  maxRecordBytes?: number;
  /** The store expires records by itself (Redis TTL) rather than, or as well as, through `sweep`. */
  nativeTtl?: boolean;
}

/** A store key as the engine makes one: base64url SHA-256, 43 characters. */
export const randomKey = (): string => randomBytes(32).toString('base64url');

/** A user ID nobody else uses. */
export const randomUser = (label = 'user'): string => `${label}-${randomBytes(9).toString('base64url')}`;

const HOUR = 3_600_000;

/** Metadata with every field set, well in the future. */
export function fullMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  const now = Date.now();
  return {
    userId: randomUser(),
    createdAt: now - 5_000,
    authAt: now - 4_000,
    touchedAt: now - 1_000,
    expiresAt: now + HOUR,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) conformance/1.0',
    ...overrides,
  };
}

/** Metadata of an anonymous session: every nullable field null. */
export function anonymousMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  return fullMeta({ userId: null, authAt: null, ip: null, userAgent: null, ...overrides });
}

/** A null-prototype data map from plain entries. */
export function data(entries: Record<string, unknown> | [string, string][]): EncodedData {
  const out = Object.create(null) as EncodedData;
  if (Array.isArray(entries)) {
    for (const [key, value] of entries) out[key] = value;
  } else {
    for (const key of Object.keys(entries)) out[key] = JSON.stringify(entries[key]);
  }
  return out;
}

export function record(meta: SessionMeta, entries: Record<string, unknown> | [string, string][] = {}): SessionRecord {
  return { meta, data: data(entries) };
}

/** Own entries of a data map as a plain sorted list, for deepEqual without prototype noise. */
export function entriesOf(map: EncodedData): [string, string][] {
  return Object.keys(map)
    .sort()
    .map((key) => [key, map[key] as string]);
}

/** Keys that break naive stores: prototype names, path syntax, quoting, unicode, sizes. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'a.b',
  'a.b.c',
  '$.x',
  '$',
  '"quoted"',
  "'",
  "it's",
  '\\',
  'back\\slash\\"',
  '{tag}',
  '*',
  '%',
  '_',
  '[0]',
  '-- ',
  'line\nbreak',
  'tab\there',
  '😀',
  'é',
  '',
  ' ',
  'k'.repeat(1000),
];

/** JSON texts of every shape, moved verbatim (stores never re-serialise values). */
export const JSON_TEXTS: readonly [string, string][] = [
  ['object', JSON.stringify({ a: 1, b: { c: [1, 2, { d: 'e' }] }, f: null })],
  ['array', JSON.stringify([1, 'two', [3], { four: 4 }, null, true])],
  ['empty object', '{}'],
  ['empty array', '[]'],
  ['string', JSON.stringify('hello')],
  ['empty string', JSON.stringify('')],
  ['quotes and backslashes', JSON.stringify('she said "hi" \\ \'yo\'')],
  ['newlines and controls', JSON.stringify('line1\nline2\r\n\ttab \u0001 \u001f')],
  ['unicode', JSON.stringify('héllo wörld 日本語 😀 \u2028\u2029')],
  ['escaped unicode', '"\\u00e9\\ud83d\\ude00"'],
  ['integer', '42'],
  ['negative float', '-1.5'],
  ['exponent', '1e300'],
  ['zero', '0'],
  ['true', 'true'],
  ['false', 'false'],
  ['null', 'null'],
  ['proto pollution attempt', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
  ['spaced (verbatim)', '{ "a" : [ 1 , 2 ] }'],
  ['json-looking string', JSON.stringify('{"not":"parsed"}')],
];

/** Throws unless nothing was added to Object.prototype. */
export function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  if (Object.getPrototypeOf(probe) !== Object.prototype || probe.polluted !== undefined || 'polluted' in Object.prototype) {
    throw new Error('Object.prototype was polluted');
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
