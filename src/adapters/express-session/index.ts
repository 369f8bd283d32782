/**
 * holdfast/express-session: a drop-in replacement for express-session 1.19.
 *
 * ```ts
 * // before: import session from 'express-session';
 * import session from 'holdfast/express-session';
 * import { RedisStore } from 'connect-redis';
 *
 * app.use(session({ secret: process.env.SESSION_SECRET, store: new RedisStore({ client }), resave: false, saveUninitialized: false }));
 * ```
 *
 * Same options, same `req.session` API (plus promises when no callback is given), same cookie
 * format and the same records in the same stores, so switching signs nobody out. What differs is
 * listed in docs/express-session-migration.md: it is faster, waits for the store, answers 503
 * when the store fails, clears the cookie on destroy, and says so when a setting is unsafe.
 */
import { createMiddleware, type SessionMiddleware } from '../../compat/express-session/middleware.ts';
import type { ExpressSessionOptions } from '../../compat/express-session/options.ts';
import { Cookie } from '../../compat/express-session/cookie.ts';
import { MemoryStore } from '../../compat/express-session/memory-store.ts';
import { Session } from '../../compat/express-session/session.ts';
import { Store } from '../../compat/express-session/store.ts';

export interface SessionFunction {
  (options?: ExpressSessionOptions): SessionMiddleware;
  Store: typeof Store;
  Cookie: typeof Cookie;
  Session: typeof Session;
  MemoryStore: typeof MemoryStore;
}

/** Create the session middleware (express-session's default export). */
const session = function session(options?: ExpressSessionOptions): SessionMiddleware {
  return createMiddleware(options);
} as SessionFunction;
session.Store = Store;
session.Cookie = Cookie;
session.Session = Session;
session.MemoryStore = MemoryStore;

export default session;
export { session, Store, Cookie, Session, MemoryStore };
export type { ExpressSessionOptions, SessionMiddleware };
export type { CookieOptions, CookieData, CookieSameSite, CookiePriority } from '../../compat/express-session/cookie.ts';
export type { MemoryStoreOptions } from '../../compat/express-session/memory-store.ts';
export type { SessionCallback, SessionRecord } from '../../compat/express-session/session.ts';
export type { StoreLike, StoreCallback } from '../../compat/express-session/store-call.ts';
export type { SessionReq as SessionRequest } from '../../compat/express-session/session-req.ts';
