/**
 * The contract between the session engine and a storage backend.
 *
 * Units and conventions, for every store:
 * - Times are milliseconds since the Unix epoch (`Date.now()` scale).
 * - `key` is the store key the engine derives from a session ID: the base64url SHA-256 of the
 *   raw ID (43 characters). A store never sees, stores or logs a raw session ID.
 * - Session data is a map of top-level key → JSON text of that key's value. The engine
 *   serialises and parses; a store only moves strings. Keys are arbitrary strings, hostile ones
 *   (`__proto__`, `constructor`, `a.b`, `"`) included: a store must round-trip them verbatim and
 *   must return data objects created with a null prototype.
 * - A store may return a record whose `meta.expiresAt` has passed (TTL cleanup is lazy). The
 *   engine enforces every timeout from the record itself; store expiry is only a cleanup aid.
 * - Every method may reject; the engine wraps each call with a timeout and turns failures into a
 *   `StoreError`. A store must never resolve with a half-applied write.
 */

/** Milliseconds since the Unix epoch. */
export type EpochMs = number;

/** Session metadata the engine owns. Written whole on `set`, and on `patch` when it carries meta. */
export interface SessionMeta {
  /** The user bound by `login()`, or null for an anonymous session. */
  userId: string | null;
  /** When the session (this ID lineage's first record) was created. Absolute timeout counts from here. */
  createdAt: EpochMs;
  /** When the user last authenticated (login), for `isFresh()`; null while anonymous. */
  authAt: EpochMs | null;
  /** Last recorded activity. The idle timeout counts from here. */
  touchedAt: EpochMs;
  /** After this instant the record is dead: a store may delete it (TTL / sweep). */
  expiresAt: EpochMs;
  /** Client address at the last login or creation, for "your devices" listings. */
  ip: string | null;
  /** User-Agent at the last login or creation, truncated to 256 characters. */
  userAgent: string | null;
}

/** Top-level key → JSON text of the value. */
export type EncodedData = Record<string, string>;

export interface SessionRecord {
  meta: SessionMeta;
  data: EncodedData;
}

/** A per-key change set: only the keys a request changed. */
export interface SessionPatch {
  /** Keys to write (JSON text per key). Other keys already stored are left as they are. */
  set: EncodedData;
  /** Keys to remove. */
  unset: string[];
  /**
   * The full new metadata (expiry included), or undefined: leave the stored metadata and expiry
   * exactly as they are. The engine omits it for a change that is not due a touch, so a write
   * never moves an expiry backwards over a concurrent request's touch.
   */
  meta?: SessionMeta | undefined;
}

/** Just the fields a touch moves forward. */
export interface TouchMeta {
  touchedAt: EpochMs;
  expiresAt: EpochMs;
}

/** One entry of a per-user listing. */
export interface UserSessionEntry {
  key: string;
  meta: SessionMeta;
}

export interface SessionStore {
  /**
   * Read one record. Resolves null when there is none. Cost: one round trip.
   * May return an expired record (the engine checks `meta.expiresAt`). The record is the
   * caller's: editing it does not change the store, and later writes do not change it.
   */
  get(key: string): Promise<SessionRecord | null>;

  /**
   * Optional: the same read as `get`, answered synchronously, for stores that read from process
   * memory or an embedded database (MemoryStore, SqliteStore). When present, the engine loads a
   * session without a promise, a timer or a second copy of the record; `storeTimeout` cannot
   * apply to a synchronous call. Throws where `get` would reject.
   *
   * The engine never mutates what this returns, so a store may hand out its own record objects,
   * provided it never mutates them afterwards either (replace `meta` and `data`, never edit them).
   */
  getSync?(key: string): SessionRecord | null;

  /**
   * Optional: `patch`, done synchronously (same contract, same answer). Offered together with
   * `touchSync` by stores that write to process memory or an embedded database; the engine then
   * commits a change before the response goes on, with no promise or timer.
   */
  patchSync?(key: string, patch: SessionPatch): boolean;

  /** Optional: `touch`, done synchronously (see `patchSync`). */
  touchSync?(key: string, meta: TouchMeta): boolean;

  /**
   * Create or replace a whole record (new session, regenerated ID). Atomic: readers see the old
   * record or the new one, never a mix. Must keep the per-user index in step with `meta.userId`.
   */
  set(key: string, record: SessionRecord): Promise<void>;

  /**
   * Apply a per-key change atomically to an existing record: write `set`, remove `unset`, replace
   * meta when the patch carries it (and keep the per-user index in step), else keep the stored
   * meta and expiry untouched. Keys not named are untouched, so two concurrent patches that change
   * different keys both survive. Resolves false (and writes nothing) when the record does not
   * exist: a session that was revoked or logged out meanwhile must not be resurrected.
   */
  patch(key: string, patch: SessionPatch): Promise<boolean>;

  /**
   * Move `touchedAt` and `expiresAt` forward on an existing record; nothing else changes.
   * Resolves false (and writes nothing) when the record does not exist.
   */
  touch(key: string, meta: TouchMeta): Promise<boolean>;

  /** Remove a record (and its per-user index entry). Removing a missing record is not an error. */
  destroy(key: string): Promise<void>;

  /** Every record bound to `userId`, expired ones possibly included (the engine filters). */
  listByUser(userId: string): Promise<UserSessionEntry[]>;

  /**
   * Remove every record bound to `userId` except `exceptKey` (when given). Resolves with how many
   * were removed.
   */
  destroyByUser(userId: string, exceptKey?: string): Promise<number>;

  /** Remove records whose `expiresAt` is before `now` (optional; stores with native TTLs skip it). */
  sweep?(now: EpochMs): Promise<number>;

  /** Release what the store opened itself (never a client the user passed in). */
  close?(): Promise<void>;
}
