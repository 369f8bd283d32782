/**
 * The end of a request (express-session's res.end proxy): what the store gets — `set` when the
 * session changed or was never saved, `touch` for a read-only request whose throttle is due,
 * `destroy` for unset 'destroy' — and the response goes out only once the store acknowledged it.
 * The in-memory store is called synchronously while its methods are still its own.
 */
import type { RequestSession } from './request-session.ts';
import { shouldSave, shouldTouch, touchDue } from './save-decisions.ts';
import { isSession } from './session.ts';
import { callStore, storeFailure, type StoreOp } from './store-call.ts';
import { cookieHeader } from './set-cookie.ts';

export function commitSession(host: RequestSession, endArgs: unknown[]): void {
  const req = host.req;
  const cfg = host.cfg;
  const hold = host.hold;
  let op: StoreOp | undefined;
  let opArgs: unknown[] = [];
  let logTouch = false;
  let header: string | undefined;
  host.memoFor = undefined;
  try {
    const sess = host.peek();
    const id = req.sessionID;
    if (id && cfg.unsetDestroy && sess == null) {
      if (id === host.cookieId) host.markGone(host.known);
      op = 'destroy';
      opArgs = [id];
    } else if (isSession(sess)) {
      host.touchOnce(sess);
      if (shouldSave(host, sess)) {
        op = 'set';
        opArgs = [sess.id, sess];
        // The next load reads the write time back from the record (expires - originalMaxAge).
        logTouch = !(sess.cookie.expires instanceof Date && typeof sess.cookie.originalMaxAge === 'number');
      } else if (cfg.storeImplementsTouch && shouldTouch(host, sess) && touchDue(host)) {
        op = 'touch';
        opArgs = [id, sess];
        logTouch = true;
      }
    }
    if (hold.claimHeaders()) header = cookieHeader(host);
  } catch (error) {
    hold.fail(error);
    return;
  }
  if (op === undefined) {
    hold.finish(header, endArgs);
    return;
  }
  const touchedId = typeof opArgs[0] === 'string' ? opArgs[0] : undefined;
  const done = (err?: unknown): void => {
    if (err) {
      hold.fail(err);
      return;
    }
    if (touchedId !== undefined) {
      if (op === 'destroy') cfg.touchLog.delete(host.touchKey(touchedId));
      else if (logTouch) cfg.touchLog.set(host.touchKey(touchedId), Date.now());
    }
    hold.finish(header, endArgs);
  };
  const sync = cfg.syncStore;
  if (sync === undefined || !sync.pristine()) {
    callStore(cfg.store, op, opArgs, cfg.storeTimeoutMs, done);
    return;
  }
  try {
    if (op === 'destroy') sync.destroy(opArgs[0] as string);
    else sync[op](opArgs[0] as string, opArgs[1] as object);
  } catch (error) {
    done(storeFailure(op, error));
    return;
  }
  done();
}
