/**
 * A new session built only when used: without a session cookie (and saveUninitialized false)
 * `req.session` and `req.sessionID` start as these accessors, and the first read or write of
 * either builds the session. The descriptors are shared by every request (they find the request's
 * host through kHost), so a lazy request costs no closure.
 */
import { setData, type SessionReq } from './session-req.ts';
import { kHost } from './session.ts';

/** What the accessors ask to build the session. */
export interface LazyHost {
  materialize(): void;
}

function hostIn(req: SessionReq): LazyHost {
  return req[kHost] as unknown as LazyHost;
}

/** The accessor for `key`: built once per key, shared by every request. */
function lazyField(key: 'session' | 'sessionID'): PropertyDescriptor {
  return {
    configurable: true,
    enumerable: true,
    get(this: SessionReq) {
      hostIn(this).materialize();
      return this[key];
    },
    set(this: SessionReq, value: unknown) {
      hostIn(this).materialize();
      setData(this, key, value);
    },
  };
}

const lazySession = lazyField('session');
const lazySessionId = lazyField('sessionID');

/** Put the accessors on `req` (whose kHost is a LazyHost); materialize() replaces them with data. */
export function attachLazy(req: SessionReq): void {
  Object.defineProperty(req, 'session', lazySession);
  Object.defineProperty(req, 'sessionID', lazySessionId);
}
