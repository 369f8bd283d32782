/**
 * The request as the drop-in sees it (express-session's fields on it, plus cookie-parser's and
 * Express's), and express-session's store.generate(): a new session on `req`.
 */
import type { IncomingMessage } from 'node:http';
import { Cookie, type CookieOptions } from './cookie.ts';
import type { Config } from './options.ts';
import type { ExpressBits } from './secure.ts';
import { Session, type kHost, type SessionHost } from './session.ts';

export type SessionReq = IncomingMessage &
  ExpressBits & {
    session?: unknown;
    sessionID?: unknown;
    sessionStore?: unknown;
    secret?: unknown;
    signedCookies?: Record<string, unknown>;
    cookies?: Record<string, unknown>;
    [kHost]?: SessionHost;
  };
export type Next = (err?: unknown) => void;

/** An own, writable, enumerable data property (replaces a lazy accessor as well). */
export function setData(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: true });
}

/** A new session on `req` (express-session's store.generate), with 'auto' secure/sameSite resolved. */
export function generateSession(cfg: Config, req: SessionReq, secure: () => boolean): Session {
  setData(req, 'sessionID', cfg.genid(req));
  const sess = new Session(req);
  const opts: CookieOptions = typeof cfg.cookie === 'function' ? cfg.cookie(req) : cfg.cookie;
  sess.cookie = new Cookie(opts);
  if (opts.secure === 'auto') sess.cookie.secure = secure();
  if (opts.sameSite === 'auto') sess.cookie.sameSite = secure() ? 'none' : 'lax';
  setData(req, 'session', sess);
  return sess;
}
