/**
 * One request's session, the express-session way (index.js of 1.19: generate / inflate / the
 * res.end proxy), with holdfast's commit discipline. This file holds the request's state and how
 * the session starts; the rest lives beside it:
 * - lazy-session.ts: without a session cookie (and saveUninitialized false) nothing is built until
 *   the handler reads `req.session` or `req.sessionID`.
 * - session-methods.ts: req.session.save / reload / destroy / regenerate.
 * - save-decisions.ts: shouldSave / shouldTouch / shouldSetCookie, change detection per top-level
 *   key (snapshot.ts) instead of hashing the whole session; touch throttling (touch-log.ts).
 * - set-cookie.ts: the Set-Cookie (or the header clearing a destroyed session's cookie); responses
 *   that set the cookie get `Cache-Control: no-store` (applySessionCookie).
 * - response-hold.ts + commit.ts: the response is held until the store acknowledged the write,
 *   touch or destroy (also writes the handler started without waiting); a store failure drops the
 *   prepared response and goes to `next(err)` as a StoreError (503); nothing hangs (storeTimeout).
 *
 * The fields are shared with those files (not part of any public API: the class is reachable only
 * through a symbol on the request).
 */
import type { ServerResponse } from 'node:http';
import type { CookieData } from './cookie.ts';
import { commitSession } from './commit.ts';
import { attachLazy } from './lazy-session.ts';
import type { Config } from './options.ts';
import { ResponseHold, type HoldHost } from './response-hold.ts';
import { AS_LOADED } from './save-decisions.ts';
import { isSecure } from './secure.ts';
import { destroySession, regenerateSession, reloadSession, saveSession } from './session-methods.ts';
import { generateSession, type Next, type SessionReq } from './session-req.ts';
import { buildSession, isSession, kHost, type Session, type SessionCallback, type SessionHost, type SessionRecord } from './session.ts';
import { cookieHeader } from './set-cookie.ts';
import type { Signer } from './signature.ts';
import { EMPTY, takeSnapshot, type Snapshot } from './snapshot.ts';
import { touchKey, type TouchKey } from './touch-log.ts';

export type { Next, SessionReq } from './session-req.ts';

const MODE_READY = 0;
const MODE_LAZY_NEW = 1;

export class RequestSession implements SessionHost, HoldHost {
  readonly cfg: Config;
  readonly req: SessionReq;
  readonly next: Next;
  readonly signer: Signer;
  /** The verified session ID the request's cookie carried. */
  readonly cookieId: string | undefined;
  readonly hold: ResponseHold;
  /** The last session this request had (its cookie attributes clear the cookie). */
  known: Session | undefined;
  /** The ID the session had when loaded or generated: another ID at the end means "modified". */
  originalId: unknown;
  baseline: Snapshot = EMPTY;
  /** What the last save wrote (AS_LOADED: the loaded record, resave false), and under which ID. */
  savedId: unknown;
  saved: Snapshot | undefined;
  /** When the loaded record was last written, read back from its cookie (expires - originalMaxAge). */
  recordTouchedAt: number | undefined;
  /** The cookie attributes of a destroyed session whose cookie the browser should drop. */
  gone: CookieData | undefined;
  /** isModified's answer for `memoFor`, until cleared. */
  memoFor: Session | undefined;
  memoModified: boolean | undefined;
  #mode = MODE_READY;
  #touched = false;
  #secure: boolean | undefined;
  #cookieKey: TouchKey | undefined;

  constructor(cfg: Config, req: SessionReq, res: ServerResponse, next: Next, signer: Signer, cookieId: string | undefined) {
    this.cfg = cfg;
    this.req = req;
    this.next = next;
    this.signer = signer;
    this.cookieId = cookieId;
    this.hold = new ResponseHold(res, this, cfg);
    req[kHost] = this;
  }

  // ---- starting ------------------------------------------------------------------------------

  /** No usable session from the cookie: a new one, built now or when first used. */
  startNew(): void {
    this.#mode = MODE_LAZY_NEW;
    if (this.cfg.saveUninitialized) {
      // it will be stored whatever the handler does: build it now
      this.materialize();
      return;
    }
    attachLazy(this.req);
  }

  /** express-session's inflate(): the stored record becomes req.session. */
  startLoaded(record: SessionRecord): void {
    const sess = buildSession(this.req, record);
    this.known = sess;
    this.originalId = sess.id;
    if (!this.cfg.resave) {
      this.savedId = sess.id;
      this.saved = AS_LOADED;
    }
    const { expires, originalMaxAge } = sess.cookie;
    if (expires instanceof Date && typeof originalMaxAge === 'number') this.recordTouchedAt = expires.valueOf() - originalMaxAge;
    // Primitives are kept as they are and objects as JSON: cheaper than express-session's sha1 of the whole session.
    this.baseline = takeSnapshot(sess);
    this.req.session = sess;
    this.hold.hook();
  }

  /** Build the lazy new session now (no-op once built). */
  materialize(): void {
    if (this.#mode !== MODE_LAZY_NEW) return;
    this.#mode = MODE_READY;
    this.generate();
    this.originalId = this.req.sessionID;
    this.baseline = EMPTY;
    this.hold.hook();
  }

  settle(): void {
    if (this.#mode === MODE_LAZY_NEW) this.materialize();
  }

  generate(): Session {
    const sess = generateSession(this.cfg, this.req, () => this.isSecure());
    this.known = sess;
    return sess;
  }

  /** `req.sessionStore.generate(req)` called by the app. */
  storeGenerate(): void {
    if (this.#mode === MODE_LAZY_NEW) this.materialize();
    else this.generate();
  }

  isSecure(): boolean {
    this.#secure ??= isSecure(this.req, this.cfg.proxy);
    return this.#secure;
  }

  /** The session as it stands (only called once the session exists: hooks are installed then). */
  peek(): unknown {
    return this.req.session;
  }

  /** Reset the cookie's maxAge once per request (express-session's req.session.touch() before save). */
  touchOnce(sess: Session): void {
    if (this.#touched) return;
    sess.touch();
    this.#touched = true;
  }

  markGone(sess: Session | undefined): void {
    if (isSession(sess)) this.gone = sess.cookie.data;
  }

  /** The touch-log key of a session ID (computed once per request for the cookie's ID). */
  touchKey(id: string): TouchKey {
    if (id !== this.cookieId) return touchKey(id);
    this.#cookieKey ??= touchKey(id);
    return this.#cookieKey;
  }

  // ---- SessionHost: the methods of req.session -----------------------------------------------

  save(sess: Session, done: SessionCallback): void {
    saveSession(this, sess, done);
  }

  reload(sess: Session, done: SessionCallback): void {
    reloadSession(this, sess, done);
  }

  destroy(sess: Session, done: SessionCallback): void {
    destroySession(this, sess, done);
  }

  regenerate(sess: Session, done: SessionCallback): void {
    regenerateSession(this, sess, done);
  }

  // ---- HoldHost: the end of the response -----------------------------------------------------

  headerAtWriteHead(): string | undefined {
    this.memoFor = undefined;
    return cookieHeader(this);
  }

  commit(endArgs: unknown[]): void {
    commitSession(this, endArgs);
  }
}
