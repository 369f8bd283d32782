/**
 * The drop-in's options: express-session 1.19's, validated the way it validates them (same
 * TypeErrors), plus three holdfast additions (logger, storeTimeout, touchAfter). Unsafe settings
 * keep working and are reported once each (see warnings.ts).
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { serialize } from 'cookie';
import { parseDuration, type Duration } from '../../core/duration.ts';
import type { Logger } from '../../core/logger.ts';
import { Cookie, type CookieOptions } from './cookie.ts';
import { MemoryStore, type SyncStoreOps } from './memory-store.ts';
import { createSigner, type Secret, type Signer } from './signature.ts';
import type { StoreLike } from './store-call.ts';
import { TouchLog } from './touch-log.ts';
import { constructionWarnings, warnerFor, type Warn } from './warnings.ts';

export interface ExpressSessionOptions {
  /** Cookie name. Default 'connect.sid' (kept for compatibility; a hint suggests a neutral one). */
  name?: string;
  /** @deprecated express-session's old name for `name`. */
  key?: string;
  /** Signing secret(s): the first signs, every one verifies. */
  secret?: Secret | Secret[];
  /** Any express-session store (connect-redis, connect-pg-simple, ...). Default: MemoryStore. */
  store?: StoreLike | object;
  cookie?: CookieOptions | ((req: IncomingMessage) => CookieOptions);
  /** Makes a session ID. Default: 24 random bytes, base64url (express-session's uid-safe(24)). */
  genid?: (req: IncomingMessage) => string;
  /** Trust the reverse proxy for `secure` cookies: true / false, or unset to follow Express's 'trust proxy'. */
  proxy?: boolean;
  /** Save unmodified sessions back on every request. express-session's default true; false recommended. */
  resave?: boolean;
  /** Send the cookie (with a fresh expiry) on every response. */
  rolling?: boolean;
  /** Store new sessions nobody wrote to. express-session's default true; false recommended. */
  saveUninitialized?: boolean;
  /** What `req.session = null` / `delete req.session` does: 'keep' (default) or 'destroy' the record. */
  unset?: 'destroy' | 'keep';

  // ---- holdfast additions -------------------------------------------------------------------
  /** pino-compatible logger for the one-time warnings. Default: console.warn. */
  logger?: Logger;
  /** A store call that has not answered after this fails with 503 instead of hanging. Default '5s'; false: wait forever. */
  storeTimeout?: Duration | false;
  /**
   * A read-only request (resave false, rolling false) calls store.touch() at most once per this
   * interval per session (express-session: on every request). Default '1m'; false: every request.
   */
  touchAfter?: Duration | false;
}

export interface Config {
  readonly name: string;
  /** undefined: sign with `req.secret` (cookie-parser), as express-session falls back to. */
  readonly signer: Signer | undefined;
  readonly store: StoreLike;
  readonly storeTimeoutMs: number;
  readonly storeImplementsTouch: boolean;
  /** Set when the store is a MemoryStore: its operations, called synchronously while its methods are unmodified. */
  readonly syncStore: SyncStoreOps | undefined;
  readonly cookie: CookieOptions | ((req: IncomingMessage) => CookieOptions);
  readonly genid: (req: IncomingMessage) => unknown;
  readonly proxy: boolean | undefined;
  readonly resave: boolean;
  readonly rolling: boolean;
  readonly saveUninitialized: boolean;
  readonly unsetDestroy: boolean;
  readonly touchAfterMs: number;
  readonly touchLog: TouchLog;
  readonly production: boolean;
  readonly warn: Warn;
  /** False after the store emitted 'disconnect', true again after 'connect'. */
  storeReady: boolean;
}

/** express-session's default genid: uid-safe's sync(24). */
export function generateSessionId(): string {
  return randomBytes(24).toString('base64url');
}

function durationOption(name: string, value: Duration | false | undefined, fallback: Duration): number {
  if (value === false || value === 0) return 0;
  return parseDuration(name, value ?? fallback);
}

export function buildConfig(options: ExpressSessionOptions | undefined): Config {
  const opts = options ?? {};
  const cookie = opts.cookie ?? {};
  const genid = opts.genid ?? generateSessionId;
  const name = opts.name || opts.key || 'connect.sid';
  const production = process.env.NODE_ENV === 'production';

  if (typeof genid !== 'function') throw new TypeError('genid option must be a function');
  if (opts.unset && opts.unset !== 'destroy' && opts.unset !== 'keep') {
    throw new TypeError('unset option must be "destroy" or "keep"');
  }
  const secret: Secret | Secret[] | undefined = opts.secret;
  if (Array.isArray(secret) && secret.length === 0) {
    throw new TypeError('secret option array must contain one or more strings');
  }
  const secrets: Secret[] | undefined = !secret ? undefined : Array.isArray(secret) ? (secret as Secret[]) : [secret as Secret];
  if (secrets !== undefined && !secrets.every((s) => s !== null && s !== undefined)) {
    throw new TypeError('secret option must be a string or an array of strings');
  }

  if (typeof cookie === 'object' && cookie !== null) checkCookieOptions(name, cookie);

  const store = (opts.store ?? new MemoryStore()) as StoreLike;
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof store[method] !== 'function') throw new TypeError(`store option must be a session store (it has no ${method}() method)`);
  }
  const storeTimeoutMs = durationOption('storeTimeout', opts.storeTimeout, '5s');

  let touchAfterMs = durationOption('touchAfter', opts.touchAfter, '1m');
  // A store with a short TTL for cookies without an expiry (connect-redis / connect-pg-simple
  // `ttl`, in seconds) must be touched well within it.
  const ttl = (store as { ttl?: unknown }).ttl;
  if (typeof ttl === 'number' && ttl > 0) touchAfterMs = Math.min(touchAfterMs, Math.floor((ttl * 1000) / 2));

  const warn = warnerFor(opts.logger);
  constructionWarnings(warn, { opts, name, secrets, store, production });

  return {
    name,
    signer: secrets === undefined ? undefined : createSigner(secrets),
    store,
    storeTimeoutMs,
    storeImplementsTouch: typeof store.touch === 'function',
    syncStore: MemoryStore.syncOps(store),
    cookie,
    genid,
    proxy: opts.proxy,
    resave: opts.resave === undefined ? true : Boolean(opts.resave),
    rolling: Boolean(opts.rolling),
    saveUninitialized: opts.saveUninitialized === undefined ? true : Boolean(opts.saveUninitialized),
    unsetDestroy: opts.unset === 'destroy',
    touchAfterMs,
    touchLog: new TouchLog(),
    production,
    warn,
    storeReady: true,
  };
}

/**
 * Cookie options that could never be serialised (a bad domain, path or sameSite) fail here with
 * a TypeError, instead of failing every request that sets the cookie (express-session's way).
 */
function checkCookieOptions(name: string, cookie: CookieOptions): void {
  const probe = new Cookie(cookie);
  const data = probe.data as unknown as Record<string, unknown>;
  if (data.secure === 'auto') data.secure = true;
  if (data.sameSite === 'auto') data.sameSite = 'lax';
  try {
    serialize(name, 'x', data);
  } catch (error) {
    throw new TypeError(`session cookie options cannot be used in a Set-Cookie header: ${(error as Error).message}`, { cause: error });
  }
}
