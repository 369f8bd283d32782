/**
 * The middleware express-session's default export returns, request by request:
 * path check → secret → `req.sessionStore` → session ID from the cookie (signature verified
 * against every secret) → no cookie: a lazy new session, no store access at all; cookie: one
 * store read → `req.session`. The rest (what is saved, touched, sent) starts in request-session.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreError } from '../../core/errors.ts';
import { sessionIdFrom } from './cookie-header.ts';
import { buildConfig, type ExpressSessionOptions } from './options.ts';
import { RequestSession } from './request-session.ts';
import { isSecure } from './secure.ts';
import { generateSession, type Next, type SessionReq } from './session-req.ts';
import { isRecord, kHost } from './session.ts';
import { signerFor, type Secret } from './signature.ts';
import { callStore, storeFailure } from './store-call.ts';

export type SessionMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** Whether the request path lies under the cookie path (express-session skips the request otherwise). */
function pathMatches(req: SessionReq, path: string): boolean {
  const url = req.originalUrl ?? req.url ?? '/';
  if (url.charCodeAt(0) === 0x2f /* / */) {
    if (path === '/') return true;
    let end = url.length;
    for (let i = 0; i < url.length; i++) {
      const c = url.charCodeAt(i);
      if (c === 0x3f /* ? */ || c === 0x23 /* # */) {
        end = i;
        break;
      }
    }
    return url.slice(0, end).startsWith(path);
  }
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url;
  }
  return (pathname || '/').startsWith(path);
}

export function createMiddleware(options?: ExpressSessionOptions): SessionMiddleware {
  const cfg = buildConfig(options);
  const store = cfg.store;

  // express-session puts generate() on the store (Store#regenerate and some apps call it).
  store.generate = (req: SessionReq): void => {
    const host = req[kHost];
    if (host instanceof RequestSession) host.storeGenerate();
    else generateSession(cfg, req, () => isSecure(req, cfg.proxy));
  };

  if (typeof store.on === 'function') {
    store.on('disconnect', () => {
      cfg.storeReady = false;
    });
    store.on('connect', () => {
      cfg.storeReady = true;
    });
  }

  return function session(request: IncomingMessage, res: ServerResponse, next: Next): void {
    const req = request as SessionReq;
    // self-awareness: another session middleware already ran
    if (req[kHost] !== undefined || req.session) {
      next();
      return;
    }

    const cookieOptions = typeof cfg.cookie === 'function' ? cfg.cookie(req) : cfg.cookie;
    if (!pathMatches(req, cookieOptions.path || '/')) {
      next();
      return;
    }

    let signer = cfg.signer;
    if (signer === undefined) {
      if (!req.secret) {
        next(new Error('secret option required for sessions'));
        return;
      }
      signer = signerFor(req.secret as Secret);
    }

    req.sessionStore = store;
    const cookieId = sessionIdFrom(req, cfg.name, signer);
    const host = new RequestSession(cfg, req, res, next, signer, cookieId);

    if (cookieId === undefined) {
      host.startNew();
      next();
      return;
    }
    if (!cfg.storeReady) {
      next(new StoreError('the session store reported a disconnect and has not reconnected'));
      return;
    }

    req.sessionID = cookieId;
    const loaded = (err: unknown, value: unknown): void => {
      if (err && (err as { code?: unknown }).code !== 'ENOENT') {
        next(err);
        return;
      }
      try {
        // A record without a cookie object is garbage: treat it as absent (express-session: 500 forever).
        if (!err && isRecord(value)) host.startLoaded(value);
        else host.startNew();
      } catch (error) {
        next(error);
        return;
      }
      next();
    };
    const sync = cfg.syncStore;
    if (sync === undefined || !sync.pristine()) {
      callStore(store, 'get', [cookieId], cfg.storeTimeoutMs, loaded);
      return;
    }
    let value: unknown;
    try {
      value = sync.get(cookieId);
    } catch (error) {
      next(storeFailure('get', error));
      return;
    }
    loaded(undefined, value);
  };
}
