/**
 * express-session's `Session` (session/session.js of 1.19): the object behind `req.session`.
 * Data lives as plain own properties; `req` and `id` are non-enumerable, the methods sit on the
 * prototype. Differences:
 * - save / reload / destroy / regenerate return a Promise when no callback is given (and `this`
 *   with a callback, as before). The promise never becomes an unhandled rejection when ignored.
 * - Inside the drop-in middleware the methods go through the request's host (see
 *   request-session.ts, session-methods.ts), which times store calls out, turns failures into StoreError (503),
 *   clears the cookie on destroy and lets the response wait for the write.
 */
import { Cookie, type CookieOptions } from './cookie.ts';
import { callStore, type StoreCallback, type StoreLike } from './store-call.ts';

/** Where the middleware keeps a request's session host. */
export const kHost: unique symbol = Symbol('holdfast.express-session.host');

export type SessionCallback = (err?: unknown) => void;

/** The request fields a Session uses. */
export interface SessionRequest {
  sessionID?: unknown;
  session?: unknown;
  sessionStore?: unknown;
  [kHost]?: SessionHost;
}

/** What a Session's methods delegate to. */
export interface SessionHost {
  save(sess: Session, done: SessionCallback): void;
  reload(sess: Session, done: SessionCallback): void;
  destroy(sess: Session, done: SessionCallback): void;
  regenerate(sess: Session, done: SessionCallback): void;
}

/** A stored record as the store hands it back: `{ cookie: {...}, ...data }`. */
export interface SessionRecord {
  cookie: CookieOptions & { expires?: Date | string | null };
  [key: string]: unknown;
}

/** Something the commit can save: a Session (ours, or express-session's from a store's createSession). */
export function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const sess = value as Session;
  return typeof sess.touch === 'function' && typeof sess.cookie === 'object' && sess.cookie !== null;
}

/** A stored record usable as a session: an object with a `cookie` object. */
export function isRecord(value: unknown): value is SessionRecord {
  return typeof value === 'object' && value !== null && typeof (value as SessionRecord).cookie === 'object' && (value as SessionRecord).cookie !== null;
}

const noop = (): void => undefined;

function run(self: Session, fn: unknown, call: (done: SessionCallback) => void): Session | Promise<void> {
  if (typeof fn === 'function') {
    call(fn as SessionCallback);
    return self;
  }
  const promise = new Promise<void>((resolve, reject) => call((err) => (err ? reject(err) : resolve())));
  promise.catch(noop);
  return promise;
}

export class Session {
  declare readonly req: SessionRequest;
  declare readonly id: string;
  declare cookie: Cookie;
  [key: string]: unknown;

  constructor(req: SessionRequest, data?: object | null) {
    Object.defineProperty(this, 'req', { value: req });
    Object.defineProperty(this, 'id', { value: req.sessionID });

    if (typeof data === 'object' && data !== null) {
      const source = data as Record<string, unknown>;
      // merge data into this, ignoring prototype properties (so `save`, `id`, `__proto__`... never land)
      for (const prop in source) {
        if (!(prop in this)) this[prop] = source[prop];
      }
    }
  }

  /** Reset `cookie.maxAge` to `cookie.originalMaxAge`. */
  touch(): this {
    return this.resetMaxAge();
  }

  resetMaxAge(): this {
    this.cookie.maxAge = this.cookie.originalMaxAge;
    return this;
  }

  save(): Promise<void>;
  save(callback: SessionCallback): this;
  save(callback?: SessionCallback): this | Promise<void>;
  save(callback?: SessionCallback): Session | Promise<void> {
    return run(this, callback, (done) => hostOf(this.req).save(this, done));
  }

  reload(): Promise<void>;
  reload(callback: SessionCallback): this;
  reload(callback?: SessionCallback): this | Promise<void>;
  reload(callback?: SessionCallback): Session | Promise<void> {
    return run(this, callback, (done) => hostOf(this.req).reload(this, done));
  }

  destroy(): Promise<void>;
  destroy(callback: SessionCallback): this;
  destroy(callback?: SessionCallback): this | Promise<void>;
  destroy(callback?: SessionCallback): Session | Promise<void> {
    return run(this, callback, (done) => hostOf(this.req).destroy(this, done));
  }

  regenerate(): Promise<void>;
  regenerate(callback: SessionCallback): this;
  regenerate(callback?: SessionCallback): this | Promise<void>;
  regenerate(callback?: SessionCallback): Session | Promise<void> {
    return run(this, callback, (done) => hostOf(this.req).regenerate(this, done));
  }
}

// express-session defines its methods configurable + writable + non-enumerable; class methods are.

/**
 * A Session from a stored record (express-session's Store#createSession without the assignment to
 * `req.session`). Mutates `sess` like express-session does: its `cookie` becomes a Cookie.
 */
export function buildSession(req: SessionRequest, sess: SessionRecord): Session {
  const expires = sess.cookie.expires;
  const originalMaxAge = sess.cookie.originalMaxAge;

  const cookie = new Cookie(sess.cookie as CookieOptions);
  if (typeof expires === 'string') {
    // convert expires to a Date object
    cookie.expires = new Date(expires);
  }
  // keep originalMaxAge intact
  cookie.originalMaxAge = originalMaxAge;
  (sess as { cookie: unknown }).cookie = cookie;

  return new Session(req, sess);
}

/** Store.prototype.createSession: turn a stored record into `req.session`. */
export function createSession(req: SessionRequest, sess: SessionRecord): Session {
  const session = buildSession(req, sess);
  req.session = session;
  return session;
}

/** Sessions made outside the middleware (Store#load, hand-built) use the store directly. */
const plainHost: SessionHost = {
  save(sess, done) {
    callStore(storeOf(sess.req), 'set', [sess.id, sess], 0, done as StoreCallback);
  },
  reload(sess, done) {
    const req = sess.req;
    callStore(storeOf(req), 'get', [sess.id], 0, (err, value) => {
      if (err) return done(err);
      if (!value) return done(new Error('failed to load session'));
      createSession(req, value as SessionRecord);
      done();
    });
  },
  destroy(sess, done) {
    const req = sess.req;
    delete req.session;
    callStore(storeOf(req), 'destroy', [sess.id], 0, done as StoreCallback);
  },
  regenerate(sess, done) {
    const store = storeOf(sess.req) as StoreLike & { regenerate?: (req: unknown, fn: SessionCallback) => void };
    if (typeof store.regenerate !== 'function') {
      done(new TypeError('req.sessionStore has no regenerate()'));
      return;
    }
    store.regenerate(sess.req, done);
  },
};

function storeOf(req: SessionRequest): StoreLike {
  const store = req.sessionStore;
  if (store === null || typeof store !== 'object') throw new TypeError('req.sessionStore is not a session store');
  return store as StoreLike;
}

function hostOf(req: SessionRequest): SessionHost {
  return req[kHost] ?? plainHost;
}
