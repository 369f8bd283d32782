/**
 * express-session's abstract `Store` (session/store.js of 1.19): an EventEmitter with
 * regenerate / load / createSession on its prototype.
 *
 * It is a plain function constructor, not a class, so that every way connect-* stores subclass it
 * keeps working with `session.Store` from this module:
 * - `class RedisStore extends Store { constructor(o) { super(o) } }` (connect-redis 6+,
 *   connect-pg-simple, connect-mongo, ...),
 * - `function RedisStore(o) { Store.call(this, o) }` + `util.inherits` / `__proto__` (connect-redis
 *   3-5 and other older stores).
 */
import { EventEmitter } from 'node:events';
import { createSession, type Session, type SessionCallback, type SessionRecord, type SessionRequest } from './session.ts';
import type { StoreCallback } from './store-call.ts';

/** The typed face of Store (what `class X extends Store` sees); the runtime is StoreImpl below. */
declare abstract class StoreBase extends EventEmitter {
  constructor(options?: unknown);
  abstract get(sid: string, callback: StoreCallback): unknown;
  abstract set(sid: string, session: object, callback?: StoreCallback): unknown;
  abstract destroy(sid: string, callback?: StoreCallback): unknown;
  touch?(sid: string, session: object, callback?: StoreCallback): unknown;
  all?(callback: StoreCallback): unknown;
  length?(callback: StoreCallback): unknown;
  clear?(callback?: StoreCallback): unknown;
  /** Set on the store by the middleware: makes a new session on `req`. */
  generate?(req: SessionRequest): void;
  regenerate(req: SessionRequest, fn: SessionCallback): void;
  load(sid: string, fn: (err?: unknown, session?: Session) => void): void;
  createSession(req: SessionRequest, session: SessionRecord): Session;
}

interface StoreInternals {
  get(sid: string, callback: StoreCallback): unknown;
  destroy(sid: string, callback?: StoreCallback): unknown;
  generate?(req: SessionRequest): void;
}

function StoreImpl(this: EventEmitter): void {
  EventEmitter.call(this);
}
Object.setPrototypeOf(StoreImpl.prototype, EventEmitter.prototype);
Object.setPrototypeOf(StoreImpl, EventEmitter);

const proto = StoreImpl.prototype as Record<string, unknown>;

/** Re-generate the given request's session: destroy the old record, make a new session. */
proto.regenerate = function regenerate(this: StoreInternals, req: SessionRequest, fn: SessionCallback): void {
  this.destroy(req.sessionID as string, (err) => {
    if (typeof this.generate !== 'function') {
      fn(err ?? new TypeError('this store is not mounted in a session middleware (store.generate is missing)'));
      return;
    }
    this.generate(req);
    fn(err);
  });
};

/** Load a `Session` instance by `sid` and call `fn(err, sess)`. */
proto.load = function load(this: StoreInternals, sid: string, fn: (err?: unknown, session?: Session) => void): void {
  this.get(sid, (err, sess) => {
    if (err) return fn(err);
    if (!sess) return fn();
    const req: SessionRequest = { sessionID: sid, sessionStore: this };
    fn(undefined, createSession(req, sess as SessionRecord));
  });
};

/** Create a session from a stored record. */
proto.createSession = function (req: SessionRequest, sess: SessionRecord): Session {
  return createSession(req, sess);
};

export const Store = StoreImpl as unknown as typeof StoreBase;
export type Store = StoreBase;
