/**
 * One request's session, the express-session way (index.js of 1.19: generate / inflate /
 * shouldSave / shouldTouch / shouldSetCookie / the res.end proxy), with holdfast's commit
 * discipline:
 * - Lazy: without a session cookie (and saveUninitialized false) nothing is built until the
 *   handler reads `req.session` or `req.sessionID` (shared accessors, no per-request closures).
 * - Change detection per top-level key (snapshot.ts) instead of hashing the whole session.
 * - The response is held until the store acknowledged the write, touch or destroy (also writes
 *   the handler started without waiting), so the next request sees it. A store failure drops the
 *   prepared response and goes to `next(err)` as a StoreError (503); nothing hangs (storeTimeout).
 * - Read-only requests (resave false) touch the store at most once per `touchAfter`.
 * - destroy(), regenerate() and unset 'destroy' clear the browser's cookie when no new one is set.
 * - A Secure cookie withheld on an insecure request is reported once, with the fix.
 * - Responses that set the cookie get `Cache-Control: no-store`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serialize } from 'cookie';
import { applySessionCookie } from '../../adapters/node/response-headers.ts';
import { Cookie, type CookieData, type CookieOptions } from './cookie.ts';
import { takeWriteHeadHeaders } from './on-headers.ts';
import type { Config } from './options.ts';
import { insecureHint, isSecure, type ExpressBits } from './secure.ts';
import { buildSession, kHost, Session, type SessionCallback, type SessionHost, type SessionRecord } from './session.ts';
import type { Signer } from './signature.ts';
import { EMPTY, takeSnapshot, unchangedSince, type Snapshot } from './snapshot.ts';
import { callStore, storeFailure, type StoreCallback, type StoreOp } from './store-call.ts';
import { insecureCookieInProduction } from './warnings.ts';

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
type Fn = (...args: unknown[]) => unknown;

/** `saved` marker: "saved as loaded" (resave false), i.e. equal to the baseline. */
const AS_LOADED: Snapshot = new Map();
const MODE_READY = 0;
const MODE_LAZY_NEW = 1;

function setData(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: true });
}

/** Something the commit can save: a Session (ours, or express-session's from a store's createSession). */
export function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const sess = value as Session;
  return typeof sess.touch === 'function' && typeof sess.cookie === 'object' && sess.cookie !== null;
}

export function isRecord(value: unknown): value is SessionRecord {
  return typeof value === 'object' && value !== null && typeof (value as SessionRecord).cookie === 'object' && (value as SessionRecord).cookie !== null;
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

const kResHost = Symbol('holdfast.express-session.response');
type HookedResponse = ServerResponse & { [kResHost]?: RequestSession };

function hostIn(req: SessionReq): RequestSession {
  return req[kHost] as RequestSession;
}

export class RequestSession implements SessionHost {
  readonly #cfg: Config;
  readonly #req: SessionReq;
  readonly #res: ServerResponse;
  readonly #next: Next;
  readonly #signer: Signer;
  readonly #cookieId: string | undefined;
  #mode = MODE_READY;
  /** The last session this request had (its cookie attributes clear the cookie). */
  #known: Session | undefined;
  #originalId: unknown;
  #baseline: Snapshot = EMPTY;
  #savedId: unknown;
  #saved: Snapshot | undefined;
  #recordTouchedAt: number | undefined;
  #touched = false;
  #hooked = false;
  #headersDone = false;
  #ended = false;
  #inflight = 0;
  #whenIdle: (() => void) | undefined;
  #gone: CookieData | undefined;
  #secure: boolean | undefined;
  #end: Fn | undefined;
  #writeHead: Fn | undefined;
  #memoFor: Session | undefined;
  #memoModified: boolean | undefined;

  static readonly #lazyNew: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: SessionReq) {
      hostIn(this).#materialize();
      return this.session;
    },
    set(this: SessionReq, value: unknown) {
      hostIn(this).#materialize();
      setData(this, 'session', value);
    },
  };

  static readonly #lazyNewId: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: SessionReq) {
      hostIn(this).#materialize();
      return this.sessionID;
    },
    set(this: SessionReq, value: unknown) {
      hostIn(this).#materialize();
      setData(this, 'sessionID', value);
    },
  };

  constructor(cfg: Config, req: SessionReq, res: ServerResponse, next: Next, signer: Signer, cookieId: string | undefined) {
    this.#cfg = cfg;
    this.#req = req;
    this.#res = res;
    this.#next = next;
    this.#signer = signer;
    this.#cookieId = cookieId;
    req[kHost] = this;
  }

  // ---- starting ------------------------------------------------------------------------------

  /** No usable session from the cookie: a new one, built now or when first used. */
  startNew(): void {
    this.#mode = MODE_LAZY_NEW;
    if (this.#cfg.saveUninitialized) {
      // it will be stored whatever the handler does: build it now
      this.#materialize();
      return;
    }
    Object.defineProperty(this.#req, 'session', RequestSession.#lazyNew);
    Object.defineProperty(this.#req, 'sessionID', RequestSession.#lazyNewId);
  }

  /** express-session's inflate(): the stored record becomes req.session. */
  startLoaded(record: SessionRecord): void {
    const sess = buildSession(this.#req, record);
    this.#known = sess;
    this.#originalId = sess.id;
    if (!this.#cfg.resave) {
      this.#savedId = sess.id;
      this.#saved = AS_LOADED;
    }
    const { expires, originalMaxAge } = sess.cookie;
    if (expires instanceof Date && typeof originalMaxAge === 'number') this.#recordTouchedAt = expires.valueOf() - originalMaxAge;
    // Primitives are kept as they are and objects as JSON: cheaper than express-session's sha1 of the whole session.
    this.#baseline = takeSnapshot(sess);
    this.#req.session = sess;
    this.#hook();
  }

  #materialize(): void {
    if (this.#mode !== MODE_LAZY_NEW) return;
    this.#mode = MODE_READY;
    this.#generate();
    this.#originalId = this.#req.sessionID;
    this.#baseline = EMPTY;
    this.#hook();
  }

  #settle(): void {
    if (this.#mode === MODE_LAZY_NEW) this.#materialize();
  }

  #generate(): Session {
    const sess = generateSession(this.#cfg, this.#req, () => this.#isSecure());
    this.#known = sess;
    return sess;
  }

  /** `req.sessionStore.generate(req)` called by the app. */
  storeGenerate(): void {
    if (this.#mode === MODE_LAZY_NEW) this.#materialize();
    else this.#generate();
  }

  #isSecure(): boolean {
    this.#secure ??= isSecure(this.#req, this.#cfg.proxy);
    return this.#secure;
  }

  /** The session as it stands (only called once the session exists: hooks are installed then). */
  #peek(): unknown {
    return this.#req.session;
  }

  // ---- SessionHost: the methods of req.session -----------------------------------------------

  save(sess: Session, done: SessionCallback): void {
    this.#settle();
    const snap = takeSnapshot(sess);
    this.#savedId = sess.id;
    this.#saved = snap;
    this.#call('set', [sess.id, sess], (err) => {
      if (err) {
        if (this.#saved === snap) this.#saved = this.#savedId = undefined; // the end of the request saves again
      } else {
        this.#cfg.touchLog.set(sess.id, Date.now());
      }
      this.#deliver(done, err);
    });
  }

  reload(sess: Session, done: SessionCallback): void {
    this.#settle();
    this.#call('get', [sess.id], (err, value) => {
      if (err) return this.#deliver(done, err);
      if (!isRecord(value)) return this.#deliver(done, new Error('failed to load session'));
      const fresh = buildSession(this.#req, value);
      setData(this.#req, 'session', fresh);
      this.#known = fresh;
      this.#deliver(done);
    });
  }

  destroy(sess: Session, done: SessionCallback): void {
    this.#settle();
    delete this.#req.session;
    if (sess.id === this.#cookieId) this.#markGone(sess);
    this.#cfg.touchLog.delete(sess.id);
    this.#call('destroy', [sess.id], (err) => this.#deliver(done, err));
  }

  regenerate(sess: Session, done: SessionCallback): void {
    this.#settle();
    const oldId = this.#req.sessionID;
    if (oldId === this.#cookieId) this.#markGone(sess);
    if (typeof oldId === 'string') this.#cfg.touchLog.delete(oldId);
    this.#call('destroy', [oldId], (err) => {
      this.#generate();
      this.#deliver(done, err);
    });
  }

  /** A store call started by the app: the response waits for it. */
  #call(op: StoreOp, args: unknown[], done: StoreCallback): void {
    this.#inflight++;
    callStore(this.#cfg.store, op, args, this.#cfg.storeTimeoutMs, (err, value) => {
      this.#inflight--;
      try {
        done(err, value);
      } finally {
        if (this.#inflight === 0 && this.#whenIdle !== undefined) {
          const resume = this.#whenIdle;
          this.#whenIdle = undefined;
          resume();
        }
      }
    });
  }

  /** Hand a result to the app's callback; what it throws goes to next(err), not into the store. */
  #deliver(done: SessionCallback, err?: unknown): void {
    try {
      done(err);
    } catch (error) {
      setImmediate(this.#next, error);
    }
  }

  #markGone(sess: Session | undefined): void {
    if (isSession(sess)) this.#gone = sess.cookie.data;
  }

  // ---- express-session's decisions -----------------------------------------------------------

  #isModified(sess: Session): boolean {
    if (this.#originalId !== sess.id) return true;
    if (this.#memoFor !== sess || this.#memoModified === undefined) {
      this.#memoFor = sess;
      this.#memoModified = !unchangedSince(this.#baseline, sess);
    }
    return this.#memoModified;
  }

  #isSaved(sess: Session): boolean {
    if (this.#saved === undefined || this.#savedId !== sess.id) return false;
    if (this.#saved === AS_LOADED) return !this.#isModified(sess);
    return unchangedSince(this.#saved, sess);
  }

  #shouldSave(sess: Session): boolean {
    const id = this.#req.sessionID;
    if (typeof id !== 'string') return false;
    return !this.#cfg.saveUninitialized && this.#saved === undefined && this.#cookieId !== id
      ? this.#isModified(sess)
      : !this.#isSaved(sess);
  }

  #shouldTouch(sess: Session): boolean {
    const id = this.#req.sessionID;
    if (typeof id !== 'string') return false;
    return this.#cookieId === id && !this.#shouldSave(sess);
  }

  #touchDue(): boolean {
    const cfg = this.#cfg;
    if (cfg.touchAfterMs === 0 || cfg.rolling) return true;
    let last = this.#recordTouchedAt;
    const logged = cfg.touchLog.get(this.#req.sessionID as string);
    if (logged !== undefined && (last === undefined || logged > last)) last = logged;
    return last === undefined || Date.now() - last >= cfg.touchAfterMs;
  }

  #shouldSetCookie(sess: Session): boolean {
    const id = this.#req.sessionID;
    if (typeof id !== 'string') return false;
    return this.#cookieId !== id
      ? this.#cfg.saveUninitialized || this.#isModified(sess)
      : this.#cfg.rolling || (sess.cookie.expires != null && this.#isModified(sess));
  }

  /** The Set-Cookie this response needs, if any (express-session's onHeaders listener). */
  #cookieHeader(): string | undefined {
    const req = this.#req;
    const sess = this.#peek();
    if (!isSession(sess)) {
      if (sess != null) {
        this.#cfg.warn('es-not-a-session', 'express-session drop-in: req.session was replaced by an object that is not a session; it was not saved.');
      } else if (this.#cfg.unsetDestroy && typeof req.sessionID === 'string' && req.sessionID === this.#cookieId) {
        this.#markGone(this.#known);
      }
      return this.#clearHeader();
    }
    if (!this.#shouldSetCookie(sess)) return req.sessionID !== this.#cookieId ? this.#clearHeader() : undefined;
    if (sess.cookie.secure && !this.#isSecure()) {
      const hint = insecureHint(req, this.#cfg.proxy);
      this.#cfg.warn(hint.key, hint.message);
      return undefined;
    }
    if (!this.#touched) {
      sess.touch();
      this.#touched = true;
    }
    const data = sess.cookie.data;
    if (this.#cfg.production && !data.secure) insecureCookieInProduction(this.#cfg.warn);
    return serialize(this.#cfg.name, this.#signer.sign(req.sessionID as string), data as Parameters<typeof serialize>[2]);
  }

  /** Set-Cookie deleting the browser's cookie, when its session was destroyed and nothing replaces it. */
  #clearHeader(): string | undefined {
    const data = this.#gone;
    if (data === undefined || (data.secure && !this.#isSecure())) return undefined;
    const opts = { ...data, expires: new Date(0) } as Parameters<typeof serialize>[2];
    return serialize(this.#cfg.name, '', opts);
  }

  // ---- the commit ----------------------------------------------------------------------------

  /*
   * res.end / res.writeHead are replaced by these two shared functions, which find the request's
   * host through a symbol on the response. One function object for every response keeps V8's
   * view of ServerResponse stable; a fresh closure per request costs several µs per request.
   */
  static readonly #writeHeadHook = function (this: HookedResponse, ...args: unknown[]): unknown {
    const host = this[kResHost] as RequestSession;
    const pass = takeWriteHeadHeaders(this, args);
    if (!host.#headersDone) {
      host.#headersDone = true;
      host.#memoFor = undefined;
      try {
        applySessionCookie(this, host.#cookieHeader());
      } catch (error) {
        setImmediate(host.#next, error);
      }
    }
    return (host.#writeHead as Fn).apply(this, pass);
  };

  static readonly #endHook = function (this: HookedResponse, ...args: unknown[]): HookedResponse {
    const host = this[kResHost] as RequestSession;
    if (host.#ended) return this;
    host.#ended = true;
    if (host.#inflight > 0) host.#whenIdle = () => host.#commit(args);
    else host.#commit(args);
    return this;
  };

  #hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    const res = this.#res as HookedResponse;
    this.#end = res.end as unknown as Fn;
    this.#writeHead = res.writeHead as unknown as Fn;
    res[kResHost] = this;
    res.writeHead = RequestSession.#writeHeadHook as ServerResponse['writeHead'];
    res.end = RequestSession.#endHook as ServerResponse['end'];
  }

  #restore(): void {
    this.#res.end = this.#end as unknown as ServerResponse['end'];
    this.#res.writeHead = this.#writeHead as unknown as ServerResponse['writeHead'];
  }

  #commit(args: unknown[]): void {
    const res = this.#res;
    const req = this.#req;
    const cfg = this.#cfg;
    let op: StoreOp | undefined;
    let opArgs: unknown[] = [];
    let logTouch = false;
    let header: string | undefined;
    this.#memoFor = undefined;
    try {
      const sess = this.#peek();
      const id = req.sessionID;
      if (id && cfg.unsetDestroy && sess == null) {
        if (id === this.#cookieId) this.#markGone(this.#known);
        op = 'destroy';
        opArgs = [id];
      } else if (isSession(sess)) {
        if (!this.#touched) {
          sess.touch();
          this.#touched = true;
        }
        if (this.#shouldSave(sess)) {
          op = 'set';
          opArgs = [sess.id, sess];
          // The next load reads the write time back from the record (expires - originalMaxAge).
          logTouch = !(sess.cookie.expires instanceof Date && typeof sess.cookie.originalMaxAge === 'number');
        } else if (cfg.storeImplementsTouch && this.#shouldTouch(sess) && this.#touchDue()) {
          op = 'touch';
          opArgs = [id, sess];
          logTouch = true;
        }
      }
      if (!this.#headersDone && !res.headersSent) {
        this.#headersDone = true;
        header = this.#cookieHeader();
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (op === undefined) {
      this.#finish(header, args);
      return;
    }
    const touchedId = typeof opArgs[0] === 'string' ? opArgs[0] : undefined;
    const done = (err?: unknown): void => {
      if (err) {
        this.#fail(err);
        return;
      }
      if (touchedId !== undefined) {
        if (op === 'destroy') cfg.touchLog.delete(touchedId);
        else if (logTouch) cfg.touchLog.set(touchedId, Date.now());
      }
      this.#finish(header, args);
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

  #finish(header: string | undefined, args: unknown[]): void {
    applySessionCookie(this.#res, header);
    (this.#end as Fn).apply(this.#res, args);
  }

  #fail(error: unknown): void {
    const res = this.#res;
    this.#restore();
    // Once the status line is out the failure cannot become a 503: cut the response short
    // rather than let the client believe a write that did not happen.
    if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    this.#next(error);
  }
}
