/**
 * express-session's MemoryStore (session/memory.js of 1.19), compatible (same methods, same
 * `sessions` map of JSON strings keyed by session ID, expired records dropped on read), with the
 * leak fixed: expired records are also swept on writes, and the store holds at most
 * `maxSessions` records (default 10,000; the least recently written go first).
 *
 * Still one process only and lost on restart: for development and tests. The middleware warns
 * once when it is used with NODE_ENV=production.
 */
import { Store } from './store.ts';
import type { StoreCallback } from './store-call.ts';

export interface MemoryStoreOptions {
  /** Most records kept; beyond it the least recently written are dropped. Default 10,000. */
  maxSessions?: number;
}

interface StoredShape {
  cookie?: { expires?: string | Date | null };
  [key: string]: unknown;
}

/**
 * The same operations without callbacks. The middleware uses them when the store is an unmodified
 * MemoryStore: the work is synchronous anyway, so waiting a tick for the callback only delays the
 * response. Callbacks given by the app (req.session.save(cb), ...) still go through the public
 * methods and stay asynchronous.
 */
export interface SyncStoreOps {
  /** Whether the store's methods are still MemoryStore's own (checked per use: apps may wrap them later). */
  pristine(): boolean;
  get(sessionId: string): object | undefined;
  set(sessionId: string, session: object): void;
  touch(sessionId: string, session: object): void;
  destroy(sessionId: string): void;
}

/** Sweep expired records once every this many writes. */
const SWEEP_EVERY = 1000;

export class MemoryStore extends Store {
  /** Session ID → JSON of the record (express-session's layout). */
  sessions: Record<string, string>;
  readonly #max: number;
  /** Session ID → expiry in ms (Infinity: none), in order of last write: the sweep and eviction index. */
  readonly #expiry = new Map<string, number>();
  #writes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    const max = options.maxSessions ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('MemoryStore maxSessions must be a positive whole number');
    this.#max = max;
    this.sessions = Object.create(null) as Record<string, string>;
  }

  /** Synchronous access for the middleware, for MemoryStore instances (see `pristine()`). */
  static syncOps(store: unknown): SyncStoreOps | undefined {
    if (!(store instanceof MemoryStore)) return undefined;
    const proto = MemoryStore.prototype;
    return {
      pristine: () => store.get === proto.get && store.set === proto.set && store.touch === proto.touch && store.destroy === proto.destroy,
      get: (sid) => store.#read(sid),
      set: (sid, sess) => store.#write(sid, sess),
      touch: (sid, sess) => store.#touch(sid, sess),
      destroy: (sid) => store.#delete(sid),
    };
  }

  /** Every live session, by ID. */
  override all(callback?: StoreCallback): void {
    const sessions = Object.create(null) as Record<string, StoredShape>;
    for (const sessionId of Object.keys(this.sessions)) {
      const session = this.#read(sessionId);
      if (session) sessions[sessionId] = session;
    }
    if (callback) process.nextTick(callback, null, sessions);
  }

  override clear(callback?: StoreCallback): void {
    this.sessions = Object.create(null) as Record<string, string>;
    this.#expiry.clear();
    if (callback) process.nextTick(callback);
  }

  destroy(sessionId: string, callback?: StoreCallback): void {
    this.#delete(sessionId);
    if (callback) process.nextTick(callback);
  }

  get(sessionId: string, callback: StoreCallback): void {
    process.nextTick(callback, null, this.#read(sessionId));
  }

  set(sessionId: string, session: object, callback?: StoreCallback): void {
    this.#write(sessionId, session);
    if (callback) process.nextTick(callback);
  }

  override length(callback: StoreCallback): void {
    this.all((err, sessions) => {
      if (err) return callback(err);
      callback(null, Object.keys(sessions as object).length);
    });
  }

  /** Update the stored cookie (its expiry) of an existing record. */
  override touch(sessionId: string, session: object, callback?: StoreCallback): void {
    this.#touch(sessionId, session);
    if (callback) process.nextTick(callback);
  }

  #write(sessionId: string, session: object): void {
    this.sessions[sessionId] = JSON.stringify(session);
    this.#index(sessionId, session as StoredShape);
    if (++this.#writes % SWEEP_EVERY === 0) this.#sweep();
    if (this.#expiry.size > this.#max) this.#evict();
  }

  #touch(sessionId: string, session: object): void {
    const current = this.#read(sessionId);
    if (current) {
      current.cookie = (session as StoredShape).cookie;
      this.sessions[sessionId] = JSON.stringify(current);
      this.#index(sessionId, current);
    }
  }

  #read(sessionId: string): StoredShape | undefined {
    const json = this.sessions[sessionId];
    if (!json) return undefined;
    const sess = JSON.parse(json) as StoredShape;
    if (expiryOf(sess) <= Date.now()) {
      this.#delete(sessionId);
      return undefined;
    }
    return sess;
  }

  #index(sessionId: string, sess: StoredShape): void {
    this.#expiry.delete(sessionId);
    this.#expiry.set(sessionId, expiryOf(sess));
  }

  #delete(sessionId: string): void {
    delete this.sessions[sessionId];
    this.#expiry.delete(sessionId);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [sessionId, expiry] of this.#expiry) if (expiry <= now) this.#delete(sessionId);
  }

  #evict(): void {
    this.#sweep();
    for (const sessionId of this.#expiry.keys()) {
      if (this.#expiry.size <= this.#max) break;
      this.#delete(sessionId);
    }
  }
}

/** Expiry of a record in ms; Infinity when its cookie has none. */
function expiryOf(sess: StoredShape): number {
  const raw = sess.cookie?.expires;
  if (!raw) return Number.POSITIVE_INFINITY;
  const ms = (typeof raw === 'string' ? new Date(raw) : raw).valueOf();
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}
