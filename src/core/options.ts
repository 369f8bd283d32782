/**
 * Engine options: validated once at construction, every mistake a ConfigError that says how to
 * fix it. Nothing here runs per request.
 */
import { createCookiePolicy, type CookieOptions, type CookiePolicy } from './cookie-policy.ts';
import { parseDuration, type Duration } from './duration.ts';
import { ConfigError } from './errors.ts';
import { createKeyring, type Keyring } from './keyring.ts';
import type { Logger } from './logger.ts';
import type { SessionStore } from './store.ts';
import { compileTrustProxy, isTrustProxyConfigured, type TrustFn, type TrustProxyOption } from './trust-proxy.ts';

export interface SessionOptions {
  /** Signing secrets, newest first. Required. In production: ≥ 32 random characters each. */
  secrets: string | readonly string[];
  /** Where sessions live. Default: SqliteStore in `.holdfast/sessions.sqlite` (see `createSessions`). */
  store?: SessionStore;
  /** Which proxies to believe about the protocol and client address. Default false. */
  trustProxy?: TrustProxyOption;
  cookie?: CookieOptions;
  /** Session ends after this much inactivity. Default '30m'. */
  idleTimeout?: Duration;
  /** Session ends this long after login (or creation), whatever the activity. Default '12h'. */
  absoluteTimeout?: Duration;
  /** Idle timeout for sessions with no user bound. Default '15m'. */
  anonymousTimeout?: Duration;
  /** A read-only request extends the idle expiry at most this often. Default '1m' (at most half the shortest idle timeout). */
  touchAfter?: Duration;
  /** Each store call fails with a 503 StoreError after this long. Default '2s'. */
  storeTimeout?: Duration;
  /** Sign-ins beyond this many sessions per user end the least recently used ones. Default: no limit. */
  maxSessionsPerUser?: number;
  /** pino-compatible logger. Default: only misconfiguration warnings, on console.warn. */
  logger?: Logger;
  /** Clock in ms since the epoch (tests freeze it). Default Date.now. */
  clock?: () => number;
  /** Production rules (strict secrets, Secure always). Default: NODE_ENV === 'production'. */
  production?: boolean;
  /**
   * Send `Holdfast-Session-Expires: <seconds left>` on responses to requests with a session, so
   * the browser module (holdfast/client) learns of every extension without polling. Default false.
   */
  expiryHeader?: boolean;
}

export interface ResolvedOptions {
  readonly keyring: Keyring;
  readonly cookie: CookiePolicy;
  readonly trust: TrustFn;
  readonly trustConfigured: boolean;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly anonymousMs: number;
  readonly touchAfterMs: number;
  readonly storeTimeoutMs: number;
  readonly maxSessionsPerUser: number;
  readonly logger: Logger | undefined;
  readonly clock: () => number;
  readonly production: boolean;
  readonly expiryHeader: boolean;
}

const KNOWN = new Set([
  'secrets', 'store', 'trustProxy', 'cookie', 'idleTimeout', 'absoluteTimeout', 'anonymousTimeout',
  'touchAfter', 'storeTimeout', 'maxSessionsPerUser', 'logger', 'clock', 'production', 'expiryHeader',
]);

/** Resolve options; `extraKeys` are options an adapter understands on top of these. */
export function resolveOptions(options: SessionOptions, extraKeys: readonly string[] = []): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('holdfast needs an options object, at least { secrets: process.env.SESSION_SECRET }');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key) && !extraKeys.includes(key)) {
      const hint = key === 'secret' ? '; holdfast calls it "secrets" (a string or an array, newest first)' : '';
      throw new ConfigError(`unknown option "${key}"${hint}`);
    }
  }
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const idleMs = parseDuration('idleTimeout', options.idleTimeout ?? '30m');
  const absoluteMs = parseDuration('absoluteTimeout', options.absoluteTimeout ?? '12h');
  const anonymousMs = parseDuration('anonymousTimeout', options.anonymousTimeout ?? '15m');
  const shortest = Math.min(idleMs, anonymousMs);
  const touchAfterMs = Math.min(parseDuration('touchAfter', options.touchAfter ?? '1m'), Math.floor(shortest / 2));
  if (absoluteMs < idleMs) {
    throw new ConfigError(`absoluteTimeout (${absoluteMs} ms) is shorter than idleTimeout (${idleMs} ms); raise absoluteTimeout or lower idleTimeout`);
  }
  const maxSessionsPerUser = options.maxSessionsPerUser ?? Number.POSITIVE_INFINITY;
  if (!(maxSessionsPerUser === Number.POSITIVE_INFINITY || (Number.isInteger(maxSessionsPerUser) && maxSessionsPerUser >= 1))) {
    throw new ConfigError('maxSessionsPerUser must be a whole number ≥ 1');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new ConfigError('clock must be a function returning ms since the epoch');
  if (options.production !== undefined && typeof options.production !== 'boolean') {
    throw new ConfigError('production must be true or false (leave it out to follow NODE_ENV)');
  }
  if (options.expiryHeader !== undefined && typeof options.expiryHeader !== 'boolean') throw new ConfigError('expiryHeader must be true or false');
  const logger = options.logger as unknown as Record<string, unknown> | null | undefined;
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || !['info', 'warn', 'error'].every((m) => typeof logger[m] === 'function'))) {
    throw new ConfigError('logger must be pino-compatible: an object with info, warn and error methods');
  }
  return {
    keyring: createKeyring(options.secrets, production),
    cookie: createCookiePolicy(options.cookie, production),
    trust: compileTrustProxy(options.trustProxy),
    trustConfigured: isTrustProxyConfigured(options.trustProxy),
    idleMs,
    absoluteMs,
    anonymousMs,
    touchAfterMs,
    storeTimeoutMs: parseDuration('storeTimeout', options.storeTimeout ?? '2s'),
    maxSessionsPerUser,
    logger: options.logger,
    clock: options.clock ?? Date.now,
    production,
    expiryHeader: options.expiryHeader ?? false,
  };
}

/** Validates that a value looks like a SessionStore. */
export function assertStore(store: unknown): asserts store is SessionStore {
  const needed = ['get', 'set', 'patch', 'touch', 'destroy', 'listByUser', 'destroyByUser'];
  const missing = store === null || typeof store !== 'object' ? needed : needed.filter((m) => typeof (store as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError(
      `"store" is not a holdfast store (missing ${missing.join(', ')}); use one from holdfast/stores/*, ` +
        'or wrap an express-session store with holdfast/stores/express-session',
    );
  }
}
