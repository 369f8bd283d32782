/**
 * What `req.session.save / reload / destroy / regenerate` do inside the drop-in middleware
 * (session.ts turns them into callbacks or promises and hands them here through the request's
 * host). Every store call is timed out and its failure is a StoreError (store-call.ts); the
 * response waits for calls still running when the handler ends it (response-hold.ts); what the
 * app's callback throws goes to next(err), not into the store.
 */
import type { RequestSession } from './request-session.ts';
import { buildSession, isRecord, type Session, type SessionCallback } from './session.ts';
import { setData } from './session-req.ts';
import { takeSnapshot } from './snapshot.ts';

export function saveSession(host: RequestSession, sess: Session, done: SessionCallback): void {
  host.settle();
  const snap = takeSnapshot(sess);
  host.savedId = sess.id;
  host.saved = snap;
  host.hold.call('set', [sess.id, sess], (err) => {
    if (err) {
      if (host.saved === snap) host.saved = host.savedId = undefined; // the end of the request saves again
    } else if (typeof sess.id === 'string') {
      host.cfg.touchLog.set(host.touchKey(sess.id), Date.now());
    }
    deliver(host, done, err);
  });
}

export function reloadSession(host: RequestSession, sess: Session, done: SessionCallback): void {
  host.settle();
  host.hold.call('get', [sess.id], (err, value) => {
    if (err) return deliver(host, done, err);
    if (!isRecord(value)) return deliver(host, done, new Error('failed to load session'));
    const fresh = buildSession(host.req, value);
    setData(host.req, 'session', fresh);
    host.known = fresh;
    deliver(host, done);
  });
}

export function destroySession(host: RequestSession, sess: Session, done: SessionCallback): void {
  host.settle();
  delete host.req.session;
  if (sess.id === host.cookieId) host.markGone(sess);
  if (typeof sess.id === 'string') host.cfg.touchLog.delete(host.touchKey(sess.id));
  host.hold.call('destroy', [sess.id], (err) => deliver(host, done, err));
}

export function regenerateSession(host: RequestSession, sess: Session, done: SessionCallback): void {
  host.settle();
  const oldId = host.req.sessionID;
  if (oldId === host.cookieId) host.markGone(sess);
  if (typeof oldId === 'string') host.cfg.touchLog.delete(host.touchKey(oldId));
  host.hold.call('destroy', [oldId], (err) => {
    host.generate();
    deliver(host, done, err);
  });
}

/** Hand a result to the app's callback; what it throws goes to next(err), not into the store. */
function deliver(host: RequestSession, done: SessionCallback, err?: unknown): void {
  try {
    done(err);
  } catch (error) {
    setImmediate(host.next, error);
  }
}
