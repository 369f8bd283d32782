/**
 * holdfast/stores/express-session: keep the express-session store you already run
 * (connect-redis, connect-pg-simple, connect-mongo, express-session's MemoryStore, …) and put
 * holdfast in front of it.
 *
 *   import { RedisStore as ConnectRedis } from 'connect-redis';
 *   import { fromExpressSessionStore } from 'holdfast/stores/express-session';
 *   const store = fromExpressSessionStore(new ConnectRedis({ client, prefix: 'sess:' }));
 *   app.use(session({ secrets, store }));
 *
 * What the wrapped store sees (see ./documents.ts): one entry per session under the holdfast
 * store key (the SHA-256 of the session ID, never the ID), whose value is an express-session
 * style object with a `cookie` (its `expires` drives the wrapped store's TTL) and a `holdfast`
 * field with the metadata and data; plus one per-user index entry per signed-in user under
 * `holdfast-user:<sha256(userId)>`.
 *
 * Costs and limits — this is a compatibility layer, not the fast path:
 * - get: one wrapped `get`.
 * - set: one `set`; for a signed-in session also one index `get` (+ a `set` when the index changes).
 * - patch and touch are **read-modify-write of the whole record** (`get` + `set`, plus the index
 *   read for signed-in sessions): express-session stores can only replace whole entries.
 *   Within this process, every write to one key is serialised through a per-key promise chain,
 *   so concurrent patches of different keys of one session all survive. Across processes nothing
 *   can serialise them: two app instances patching the same session at the same moment can lose
 *   one of the two changes (last write wins), and a touch can race a patch the same way.
 *   If you need per-key merges across instances, use holdfast/stores/redis or /stores/postgres.
 * - The per-user index is also read-modify-write. It is self-healing: listings skip and prune
 *   entries whose record is gone or belongs to someone else, and every write or touch of a
 *   signed-in session re-adds its key if it went missing. Across processes two concurrent index
 *   updates for the same user can drop one key; until that session's next write or touch it is
 *   missing from `listByUser` and `destroyByUser` (so "log out all devices" could miss it).
 * - Expiry is the wrapped store's own (from `cookie.expires`), so there is no `sweep()`.
 */
import { ConfigError, CorruptRecordError, StoreError } from '../../core/errors.ts';
import { applyDataPatch, assertDataSize, DEFAULT_MAX_RECORD_BYTES, toNullProto } from '../../core/record-codec.ts';
import type { SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../core/store.ts';
import { fromIndexDocument, fromSessionDocument, INDEX_ID_PREFIX, indexIdOf, toIndexDocument, toSessionDocument, type UserIndex } from './documents.ts';
import { invoke, type StoreApiStyle } from './invoke.ts';
import { KeyLock } from './key-lock.ts';

export type { StoreApiStyle } from './invoke.ts';

/**
 * The part of an express-session store the bridge uses. Any `express-session` `Store` fits
 * (`touch`, `all`, `clear`… are not used: a touch must move holdfast's metadata too).
 */
export interface ExpressSessionStoreLike {
  get(sid: string, callback: (error: unknown, session?: unknown) => void): unknown;
  set(sid: string, session: never, callback?: (error?: unknown) => void): unknown;
  destroy(sid: string, callback?: (error?: unknown) => void): unknown;
}

export interface ExpressSessionStoreBridgeOptions {
  /** Largest session data accepted, in bytes (as `encodedDataBytes` counts). Default 1 MiB. */
  maxRecordBytes?: number;
  /**
   * A wrapped-store call that neither calls back nor settles within this many ms fails (and frees
   * its per-key lock). Default 5,000. Keep it at or above the engine's `storeTimeout`.
   */
  callTimeout?: number;
  /**
   * How to read the wrapped store's answers: 'auto' (default: callback or returned promise,
   * whichever comes first), 'callback' (ignore returned promises), 'promise' (ignore callbacks).
   */
  api?: StoreApiStyle;
  /** A per-user index holding this many keys is pruned of dead ones before it grows. Default 32. */
  indexPruneThreshold?: number;
  /** A per-user index outlives its furthest session by this many ms, so it is rewritten rarely. Default 1 day. */
  indexSlack?: number;
  /** Clock for the `cookie` the wrapped store sees (tests). Default Date.now. */
  now?: () => number;
}

const DAY = 86_400_000;

export class ExpressSessionStoreBridge implements SessionStore {
  /** The wrapped express-session store. */
  readonly wrapped: ExpressSessionStoreLike;
  readonly #maxRecordBytes: number;
  readonly #callTimeout: number;
  readonly #api: StoreApiStyle;
  readonly #pruneThreshold: number;
  readonly #slack: number;
  readonly #now: () => number;
  readonly #locks = new KeyLock();

  constructor(store: ExpressSessionStoreLike, options: ExpressSessionStoreBridgeOptions = {}) {
    for (const method of ['get', 'set', 'destroy'] as const) {
      if (store == null || typeof (store as unknown as Record<string, unknown>)[method] !== 'function') {
        throw new ConfigError(
          `ExpressSessionStoreBridge needs an express-session store (with get, set and destroy); the value passed has no ${method}()`,
        );
      }
    }
    const {
      maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
      callTimeout = 5_000,
      api = 'auto',
      indexPruneThreshold = 32,
      indexSlack = DAY,
      now = Date.now,
    } = options;
    if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < 1) throw new ConfigError('ExpressSessionStoreBridge maxRecordBytes must be a positive integer');
    if (!Number.isFinite(callTimeout) || callTimeout <= 0) throw new ConfigError('ExpressSessionStoreBridge callTimeout must be a positive number of milliseconds');
    if (api !== 'auto' && api !== 'callback' && api !== 'promise') throw new ConfigError("ExpressSessionStoreBridge api must be 'auto', 'callback' or 'promise'");
    if (!Number.isSafeInteger(indexPruneThreshold) || indexPruneThreshold < 1) throw new ConfigError('ExpressSessionStoreBridge indexPruneThreshold must be a positive integer');
    if (!Number.isFinite(indexSlack) || indexSlack < 0) throw new ConfigError('ExpressSessionStoreBridge indexSlack must be a number of milliseconds');
    if (typeof now !== 'function') throw new ConfigError('ExpressSessionStoreBridge now must be a function');
    this.wrapped = store;
    this.#maxRecordBytes = maxRecordBytes;
    this.#callTimeout = callTimeout;
    this.#api = api;
    this.#pruneThreshold = indexPruneThreshold;
    this.#slack = indexSlack;
    this.#now = now;
  }

  async get(key: string): Promise<SessionRecord | null> {
    checkKey(key);
    return this.#read(key);
  }

  /** One wrapped `set`; for a signed-in session the index is brought up to date after it. */
  async set(key: string, record: SessionRecord): Promise<void> {
    checkKey(key);
    assertDataSize(record.data, this.#maxRecordBytes);
    const copy: SessionRecord = { meta: { ...record.meta }, data: toNullProto(record.data) };
    await this.#locks.run(key, () => this.#write(key, copy));
    await this.#indexAfterWrite(key, copy);
  }

  /**
   * Read-modify-write of the whole record (express-session stores cannot merge): serialised per
   * key within this process, last-write-wins across processes. False when the record is missing.
   */
  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    checkKey(key);
    const set = toNullProto(patch.set);
    const unset = [...patch.unset];
    const meta = patch.meta === undefined ? undefined : { ...patch.meta };
    const written = await this.#locks.run(key, async () => {
      const current = await this.#read(key);
      if (current === null) return null;
      applyDataPatch(current.data, set, unset);
      assertDataSize(current.data, this.#maxRecordBytes);
      const next: SessionRecord = { meta: meta ?? current.meta, data: current.data };
      await this.#write(key, next);
      return next;
    });
    if (written === null) return false;
    // Without new meta the user and expiry did not move: the index is already right.
    if (meta !== undefined) await this.#indexAfterWrite(key, written);
    return true;
  }

  /** Read-modify-write like `patch` (the record's own metadata must move, not just a TTL). */
  async touch(key: string, touch: TouchMeta): Promise<boolean> {
    checkKey(key);
    const { touchedAt, expiresAt } = touch;
    const written = await this.#locks.run(key, async () => {
      const current = await this.#read(key);
      if (current === null) return null;
      const next: SessionRecord = { meta: { ...current.meta, touchedAt, expiresAt }, data: current.data };
      await this.#write(key, next);
      return next;
    });
    if (written === null) return false;
    await this.#indexAfterWrite(key, written);
    return true;
  }

  /** One wrapped `destroy`. The user's index entry is left for the next listing to prune. */
  async destroy(key: string): Promise<void> {
    checkKey(key);
    await this.#locks.run(key, () => this.#call('destroy', [key]));
  }

  /** The user's index, each entry checked against its record (gone or rebound ones are pruned). */
  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    const index = await this.#readIndex(userId);
    if (index === null) return [];
    const entries: UserSessionEntry[] = [];
    const dead: string[] = [];
    await Promise.all(
      index.keys.map(async (key) => {
        const record = await this.#tryRead(key);
        if (isBoundTo(record, userId)) entries.push({ key, meta: record.meta });
        else dead.push(key);
      }),
    );
    if (dead.length > 0) await this.#pruneIndex(userId, dead).catch(() => undefined);
    return entries;
  }

  /**
   * Destroy every record the user's index points at that is still bound to the user (except
   * `exceptKey`); each check-and-destroy holds that key's lock. Garbage records the index points
   * at are removed but not counted.
   */
  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    const index = await this.#readIndex(userId);
    if (index === null) return 0;
    let removed = 0;
    const gone: string[] = [];
    await Promise.all(
      index.keys
        .filter((key) => key !== exceptKey)
        .map((key) =>
          this.#locks.run(key, async () => {
            const record = await this.#tryRead(key);
            // Garbage is removed but not counted; a record rebound to another user is left alone.
            if (record === 'corrupt' || isBoundTo(record, userId)) {
              await this.#call('destroy', [key]);
              if (record !== 'corrupt') removed++;
            }
            gone.push(key);
          }),
        ),
    );
    if (gone.length > 0) await this.#pruneIndex(userId, gone).catch(() => undefined);
    return removed;
  }

  // ---- wrapped store ---------------------------------------------------------------------

  #call(method: 'get' | 'set' | 'destroy', args: unknown[]): Promise<unknown> {
    return invoke(this.wrapped, method, args, { timeoutMs: this.#callTimeout, style: this.#api, operation: method });
  }

  async #read(key: string): Promise<SessionRecord | null> {
    return fromSessionDocument(await this.#call('get', [key]));
  }

  /** Like #read, but a garbage record is reported as 'corrupt' instead of thrown. */
  async #tryRead(key: string): Promise<SessionRecord | null | 'corrupt'> {
    try {
      return await this.#read(key);
    } catch (error) {
      if (error instanceof CorruptRecordError) return 'corrupt';
      throw error;
    }
  }

  async #write(key: string, record: SessionRecord): Promise<void> {
    await this.#call('set', [key, toSessionDocument(record, this.#now())]);
  }

  // ---- per-user index ----------------------------------------------------------------------

  async #readIndex(userId: string): Promise<UserIndex | null> {
    return fromIndexDocument(await this.#call('get', [indexIdOf(userId)]));
  }

  async #writeIndex(userId: string, keys: readonly string[], expiresAt: number): Promise<void> {
    const id = indexIdOf(userId);
    if (keys.length === 0) await this.#call('destroy', [id]);
    else await this.#call('set', [id, toIndexDocument(keys, expiresAt, this.#now())]);
  }

  /**
   * Make sure a signed-in session's key is in its user's index and the index lives at least as
   * long as the session. Rewrites the index only when the key is missing or the expiry must move
   * (then it is pushed `indexSlack` past the session, so sliding sessions rarely rewrite it).
   */
  async #indexAfterWrite(key: string, record: SessionRecord): Promise<void> {
    const userId = record.meta.userId;
    if (userId === null) return;
    const expiresAt = record.meta.expiresAt;
    await this.#locks.run(indexIdOf(userId), async () => {
      const index = (await this.#readIndex(userId)) ?? { keys: [], expiresAt: 0 };
      const listed = index.keys.includes(key);
      if (listed && index.expiresAt >= expiresAt) return;
      let keys = index.keys;
      if (!listed && keys.length >= this.#pruneThreshold) keys = await this.#liveKeys(userId, keys);
      if (!listed) keys = [...keys, key];
      await this.#writeIndex(userId, keys, Math.max(index.expiresAt, expiresAt + this.#slack));
    });
  }

  /** The keys whose record exists and is bound to `userId` (garbage ones dropped). */
  async #liveKeys(userId: string, keys: readonly string[]): Promise<string[]> {
    const alive = await Promise.all(keys.map(async (key) => isBoundTo(await this.#tryRead(key), userId)));
    return keys.filter((_, i) => alive[i]);
  }

  /**
   * Remove `dead` keys from the user's index, under its lock: each candidate is checked again
   * there, so a session re-bound to the user meanwhile (its record is written before its index
   * step, which waits for this lock) is kept. The index expiry is kept as it is.
   */
  async #pruneIndex(userId: string, dead: readonly string[]): Promise<void> {
    await this.#locks.run(indexIdOf(userId), async () => {
      const index = await this.#readIndex(userId);
      if (index === null) return;
      const candidates = dead.filter((key) => index.keys.includes(key));
      const revived = new Set(await this.#liveKeys(userId, candidates));
      const drop = new Set(candidates.filter((key) => !revived.has(key)));
      const keys = index.keys.filter((key) => !drop.has(key));
      if (keys.length === index.keys.length) return;
      await this.#writeIndex(userId, keys, index.expiresAt);
    });
  }
}

/** Wrap an express-session store: `fromExpressSessionStore(new ConnectRedis({ client }))`. */
export function fromExpressSessionStore(
  store: ExpressSessionStoreLike,
  options?: ExpressSessionStoreBridgeOptions,
): ExpressSessionStoreBridge {
  return new ExpressSessionStoreBridge(store, options);
}

function isBoundTo(record: SessionRecord | null | 'corrupt', userId: string): record is SessionRecord {
  return record !== null && record !== 'corrupt' && record.meta.userId === userId;
}

/** Store keys are the engine's SHA-256 hashes; an index ID (or an empty key) is refused. */
function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.startsWith(INDEX_ID_PREFIX)) {
    throw new StoreError('ExpressSessionStoreBridge was given something that is not a session store key');
  }
}
