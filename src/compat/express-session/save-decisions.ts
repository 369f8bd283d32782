/**
 * express-session's decisions (index.js of 1.19: isModified / isSaved / shouldSave / shouldTouch /
 * shouldSetCookie), over a request's RequestSession. Change detection is per top-level key
 * (snapshot.ts) instead of a sha1 of the whole session; the answer of isModified is memoized per
 * session object until the host clears `memoFor` (at writeHead and at the commit).
 */
import type { RequestSession } from './request-session.ts';
import type { Session } from './session.ts';
import { unchangedSince, type Snapshot } from './snapshot.ts';

/** `saved` marker: "saved as loaded" (resave false), i.e. equal to the baseline. */
export const AS_LOADED: Snapshot = new Map();

export function isModified(host: RequestSession, sess: Session): boolean {
  if (host.originalId !== sess.id) return true;
  if (host.memoFor !== sess || host.memoModified === undefined) {
    host.memoFor = sess;
    host.memoModified = !unchangedSince(host.baseline, sess);
  }
  return host.memoModified;
}

function isSaved(host: RequestSession, sess: Session): boolean {
  if (host.saved === undefined || host.savedId !== sess.id) return false;
  if (host.saved === AS_LOADED) return !isModified(host, sess);
  return unchangedSince(host.saved, sess);
}

export function shouldSave(host: RequestSession, sess: Session): boolean {
  const id = host.req.sessionID;
  if (typeof id !== 'string') return false;
  return !host.cfg.saveUninitialized && host.saved === undefined && host.cookieId !== id
    ? isModified(host, sess)
    : !isSaved(host, sess);
}

export function shouldTouch(host: RequestSession, sess: Session): boolean {
  const id = host.req.sessionID;
  if (typeof id !== 'string') return false;
  return host.cookieId === id && !shouldSave(host, sess);
}

/** Whether the throttle lets this read-only request touch the store (always with rolling or touchAfter 0). */
export function touchDue(host: RequestSession): boolean {
  const cfg = host.cfg;
  if (cfg.touchAfterMs === 0 || cfg.rolling) return true;
  return cfg.touchLog.due(host.touchKey(host.req.sessionID as string), host.recordTouchedAt, cfg.touchAfterMs);
}

export function shouldSetCookie(host: RequestSession, sess: Session): boolean {
  const id = host.req.sessionID;
  if (typeof id !== 'string') return false;
  return host.cookieId !== id
    ? host.cfg.saveUninitialized || isModified(host, sess)
    : host.cfg.rolling || (sess.cookie.expires != null && isModified(host, sess));
}
