/**
 * The session engine: turns a request view into a SessionContext (verifying the cookie before
 * the store is touched, enforcing timeouts on the record), and manages a user's sessions.
 * Framework-agnostic: adapters build a RequestView and apply the CommitPlan.
 */
import type { CookiePolicy } from './cookie-policy.ts';
import { CorruptRecordError } from './errors.ts';
import { SessionEvents, type ExpiryReason, type Listener, type RejectReason, type SessionEventName } from './events.ts';
import { expiredReason, type Timeouts } from './expiry.ts';
import { GuardedStore } from './guarded-store.ts';
import { handleOf, storeKeyOf } from './ids.ts';
import type { Keyring } from './keyring.ts';
import { WarnOnce } from './logger.ts';
import type { ResolvedOptions } from './options.ts';
import { readCookie } from './read-cookie.ts';
import { VerifiedMacs } from './verified-macs.ts';
import { SessionContext } from './session-context.ts';
import type { SessionMeta, SessionRecord, SessionStore } from './store.ts';
import { resolveTransport, type Transport, type TransportRequest } from './transport.ts';
import type { TrustFn } from './trust-proxy.ts';

/** The small view of a request an adapter hands the engine. */
export interface RequestView extends TransportRequest {
  method: string | undefined;
  path: string | undefined;
}

/** One entry of `listSessions(userId)`. */
export interface SessionInfo {
  /** Short non-secret name; pass it to `revokeSession`. */
  handle: string;
  createdAt: number;
  authAt: number | null;
  lastSeenAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** Length of a signed cookie value: 43-char ID, '.', 43-char MAC. */
const SIGNED_LENGTH = 87;

/** A session cookie that passed the signature check. */
interface VerifiedSessionCookie {
  id: string;
  /** The store key (SHA-256 of the ID). */
  key: string;
  /** The cookie value when signed with the current secret (re-sent as is), else undefined. */
  signed: string | undefined;
}

export class EngineCore implements Timeouts {
  readonly store: GuardedStore;
  readonly keyring: Keyring;
  readonly cookie: CookiePolicy;
  readonly events: SessionEvents;
  readonly clock: () => number;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly anonymousMs: number;
  readonly touchAfterMs: number;
  readonly maxSessionsPerUser: number;
  /** Responses carry Holdfast-Session-Expires (see SessionContext.expiryHeader). */
  readonly expiryHeader: boolean;
  readonly #trust: TrustFn;
  readonly #trustConfigured: boolean;
  readonly #warnings: WarnOnce;
  readonly #verifiedMacs = new VerifiedMacs();
  readonly #names: readonly string[];

  constructor(options: ResolvedOptions, store: SessionStore) {
    this.store = new GuardedStore(store, options.storeTimeoutMs);
    this.keyring = options.keyring;
    this.cookie = options.cookie;
    this.events = new SessionEvents(options.logger);
    this.clock = options.clock;
    this.idleMs = options.idleMs;
    this.absoluteMs = options.absoluteMs;
    this.anonymousMs = options.anonymousMs;
    this.touchAfterMs = options.touchAfterMs;
    this.maxSessionsPerUser = options.maxSessionsPerUser;
    this.expiryHeader = options.expiryHeader;
    this.#trust = options.trust;
    this.#trustConfigured = options.trustConfigured;
    this.#warnings = new WarnOnce(options.logger);
    this.#names = [...new Set([options.cookie.nameFor(true), options.cookie.nameFor(false)])].map((n) => `${n}=`);
  }

  /** The raw store the user passed in. */
  get rawStore(): SessionStore {
    return this.store.store;
  }

  /**
   * Cheap pre-check: could this Cookie header carry our session cookie at all? Lets adapters skip
   * all session work for cookie-less requests until the handler touches the session.
   */
  mayHaveSession(cookieHeader: string | undefined): boolean {
    if (cookieHeader === undefined) return false;
    for (const name of this.#names) if (cookieHeader.includes(name)) return true;
    return false;
  }

  /** Resolve the transport (secure? client IP?) with the engine's or the framework's trust. */
  transportOf(view: RequestView, trust?: TrustFn): Transport {
    if (trust === undefined) return resolveTransport(view, this.#trust, this.#trustConfigured);
    return resolveTransport(view, trust, true);
  }

  /** A new, empty session for a request known to carry no session cookie. Synchronous. */
  fresh(view: RequestView, trust?: TrustFn): SessionContext {
    return new SessionContext(this, view, this.transportOf(view, trust));
  }

  /**
   * Load the request's session: verify the cookie, read the record, enforce timeouts. A cookie
   * that is forged, unknown or expired counts as no cookie (plus an event); it is not cleared,
   * because a clearing response racing a concurrent login would delete the new cookie.
   */
  async load(view: RequestView, trust?: TrustFn): Promise<SessionContext> {
    return this.open(view, trust);
  }

  /**
   * `load`, answered synchronously when it can be: when the request carries no usable cookie, or
   * when the store reads synchronously (`getSync`: MemoryStore, SqliteStore). Otherwise a promise.
   * Adapters use it to skip a promise hop per request; it never throws (failures reject).
   */
  open(view: RequestView, trust?: TrustFn): SessionContext | Promise<SessionContext> {
    const transport = this.transportOf(view, trust);
    const cookie = this.#verify(view, transport);
    if (cookie === undefined) return new SessionContext(this, view, transport);
    if (!this.store.readsSync) return this.#loadAsync(view, transport, cookie);
    let record: SessionRecord | null;
    try {
      record = this.store.getSync(cookie.key);
    } catch (error) {
      return this.#readFailed(view, transport, cookie.key, error);
    }
    return this.#contextFor(view, transport, cookie, record);
  }

  #loadAsync(view: RequestView, transport: Transport, cookie: VerifiedSessionCookie): Promise<SessionContext> {
    return this.store.get(cookie.key).then(
      (record) => this.#contextFor(view, transport, cookie, record),
      (error: unknown) => this.#readFailed(view, transport, cookie.key, error),
    );
  }

  /**
   * The request's session cookie, verified (constant time, before any store access), or
   * undefined when there is none we can use (a `rejected` event says why, when there was one).
   */
  #verify(view: RequestView, transport: Transport): VerifiedSessionCookie | undefined {
    const header = view.header('cookie');
    if (!this.mayHaveSession(header)) return undefined;
    const value = readCookie(header as string, this.cookie.nameFor(transport.secure));
    if (value === undefined) return undefined;

    if (value.length !== SIGNED_LENGTH || value.charCodeAt(43) !== 46 /* '.' */) {
      this.#reject(view, transport, 'malformed', undefined);
      return undefined;
    }
    // The store key is needed anyway; it also finds a MAC verified before (no HMAC then).
    const key = storeKeyOf(value.slice(0, 43));
    let verified = this.#verifiedMacs.check(key, value);
    if (verified === null) {
      verified = this.keyring.verify(value);
      if (verified === null) {
        this.#reject(view, transport, 'bad-signature', undefined);
        return undefined;
      }
      this.#verifiedMacs.remember(key, value, verified.keyIndex);
    }
    // A cookie signed with the current secret is reused as is when the response re-sends it.
    return { id: verified.id, key, signed: verified.keyIndex === 0 ? value : undefined };
  }

  /** A store read that failed: garbage for this one record is "no session"; anything else a 503. */
  #readFailed(view: RequestView, transport: Transport, key: string, error: unknown): SessionContext | Promise<never> {
    if (!(error instanceof CorruptRecordError)) return Promise.reject(error);
    this.#reject(view, transport, 'corrupt-record', handleOf(key));
    return new SessionContext(this, view, transport);
  }

  #contextFor(view: RequestView, transport: Transport, cookie: VerifiedSessionCookie, record: SessionRecord | null): SessionContext {
    if (record === null) {
      this.#reject(view, transport, 'unknown', handleOf(cookie.key));
      return new SessionContext(this, view, transport);
    }
    const reason = this.expiredReason(record.meta);
    if (reason !== undefined) {
      this.#expire(view, transport, cookie.key, record.meta, reason);
      return new SessionContext(this, view, transport);
    }
    return new SessionContext(this, view, transport, { id: cookie.id, key: cookie.key, record, signed: cookie.signed });
  }

  expiredReason(meta: SessionMeta): ExpiryReason | undefined {
    return expiredReason(meta, this.clock(), this);
  }

  /** Whether a cookie can go out on this request; warns once per cause when it cannot. */
  canSendCookie(transport: Transport): boolean {
    const ok = this.cookie.canSend(transport.secure);
    const hint = transport.hint;
    if (!ok) {
      this.#warnings.warn(
        `not-sent:${hint?.key ?? 'plain-http'}`,
        'a Secure session cookie was not sent because the request is not secure. ' +
          (hint?.message ??
            'It came over plain http with no trusted proxy header. Serve the app over https, or, if a TLS proxy sits in front of it, set trustProxy (e.g. trustProxy: 1 for one proxy hop).'),
      );
    } else if (hint !== undefined) {
      this.#warnings.warn(hint.key, hint.message);
    }
    return ok;
  }

  // ---- per-user management -----------------------------------------------------------------

  async listSessions(userId: string): Promise<SessionInfo[]> {
    const now = this.clock();
    const entries = await this.store.listByUser(userId);
    return entries
      .filter((e) => e.meta.userId === userId && expiredReason(e.meta, now, this) === undefined)
      .map((e) => ({
        handle: handleOf(e.key),
        createdAt: e.meta.createdAt,
        authAt: e.meta.authAt,
        lastSeenAt: e.meta.touchedAt,
        expiresAt: e.meta.expiresAt,
        ip: e.meta.ip,
        userAgent: e.meta.userAgent,
      }))
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  async revokeSession(userId: string, handle: string): Promise<boolean> {
    const entries = await this.store.listByUser(userId);
    const entry = entries.find((e) => e.meta.userId === userId && handleOf(e.key) === handle);
    if (entry === undefined) return false;
    await this.store.destroy(entry.key);
    this.#revoked(userId, handle, 'revoke');
    return true;
  }

  async revokeAllSessions(userId: string, options: { except?: string } = {}): Promise<number> {
    let exceptKey: string | undefined;
    if (options.except !== undefined) {
      const entries = await this.store.listByUser(userId);
      exceptKey = entries.find((e) => handleOf(e.key) === options.except)?.key;
    }
    const count = await this.store.destroyByUser(userId, exceptKey);
    if (count > 0) this.#revoked(userId, undefined, 'revoke-all');
    return count;
  }

  /**
   * After a login, end the least recently used sessions beyond maxSessionsPerUser. Best effort:
   * the new session is already written and the user signed in, so a store failure here must not
   * turn the login into a 503 with an orphaned record; the limit is enforced again at the next
   * login, and the failure is reported once.
   */
  async enforceSessionLimit(userId: string, currentKey: string, now: number, view: RequestView, transport: Transport): Promise<void> {
    if (this.maxSessionsPerUser === Number.POSITIVE_INFINITY) return;
    try {
      await this.#trimSessions(userId, currentKey, now, view, transport);
    } catch {
      this.#warnings.warn(
        'session-limit-failed',
        'could not enforce maxSessionsPerUser after a login because the session store failed; the limit is applied again at the next login',
      );
    }
  }

  async #trimSessions(userId: string, currentKey: string, now: number, view: RequestView, transport: Transport): Promise<void> {
    const live = (await this.store.listByUser(userId)).filter(
      (e) => e.key !== currentKey && e.meta.userId === userId && expiredReason(e.meta, now, this) === undefined,
    );
    const excess = live.length + 1 - this.maxSessionsPerUser;
    if (excess <= 0) return;
    live.sort((a, b) => a.meta.touchedAt - b.meta.touchedAt);
    for (const entry of live.slice(0, excess)) {
      await this.store.destroy(entry.key);
      this.#revoked(userId, handleOf(entry.key), 'session-limit', view, transport);
    }
  }

  on<K extends SessionEventName>(type: K, listener: Listener<K>): () => void {
    return this.events.on(type, listener);
  }

  // ---- events ----------------------------------------------------------------------------------

  #reject(view: RequestView, transport: Transport, reason: RejectReason, handle: string | undefined): void {
    if (!this.events.wants('rejected')) return;
    this.events.emit('rejected', { ...this.#base(view, transport, null, handle), reason });
  }

  #expire(view: RequestView, transport: Transport, key: string, meta: SessionMeta, reason: ExpiryReason): void {
    // Cleanup is best effort: the record is dead whatever the store says, so do not delay the request.
    this.store.destroy(key).catch(() => undefined);
    if (!this.events.wants('expired')) return;
    this.events.emit('expired', { ...this.#base(view, transport, meta.userId, handleOf(key)), reason });
  }

  #revoked(userId: string, handle: string | undefined, reason: 'revoke' | 'revoke-all' | 'session-limit', view?: RequestView, transport?: Transport): void {
    if (!this.events.wants('revoked')) return;
    this.events.emit('revoked', {
      time: this.clock(),
      ip: transport?.clientIp,
      method: view?.method,
      path: view?.path,
      userId,
      handle,
      reason,
    });
  }

  #base(view: RequestView, transport: Transport, userId: string | null, handle: string | undefined) {
    return { time: this.clock(), ip: transport.clientIp, method: view.method, path: view.path, userId, handle };
  }
}
