/**
 * The engine's view of a store: every call bounded by `storeTimeout`, every failure a
 * `StoreError` (503) with the original as `cause`, every record validated. A slow or broken store
 * makes a request fail fast; it never hangs it, and never turns into a silent anonymous session.
 */
import { returnsCheckedRecords } from './checked-records.ts';
import { Deadlines } from './deadlines.ts';
import { HoldfastError, StoreError, StoreTimeoutError } from './errors.ts';
import { checkRecord, isCheckedRecord } from './record-codec.ts';
import type { SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from './store.ts';

export class GuardedStore {
  readonly store: SessionStore;
  readonly #timeoutMs: number;
  readonly #deadlines: Deadlines;
  /** Checks every record a store returns, unless the store is one of ours that already did. */
  readonly #checked: (record: unknown) => SessionRecord | null;

  constructor(store: SessionStore, timeoutMs: number) {
    this.store = store;
    this.#timeoutMs = timeoutMs;
    this.#deadlines = new Deadlines(timeoutMs);
    this.#checked = returnsCheckedRecords(store) ? asReturned : checkedOrNull;
  }

  get(key: string): Promise<SessionRecord | null> {
    return this.#call('get', () => this.store.get(key), this.#checked);
  }

  /** Whether the store answers reads synchronously (`getSync`). */
  get readsSync(): boolean {
    return typeof this.store.getSync === 'function';
  }

  /**
   * The synchronous read, for stores that have one: the record as the store holds it when it is
   * already in shape (the engine never mutates it), else a checked copy. Throws StoreError.
   */
  getSync(key: string): SessionRecord | null {
    let record: unknown;
    try {
      record = (this.store.getSync as (key: string) => unknown).call(this.store, key);
    } catch (error) {
      throw asStoreError('get', error);
    }
    // Checked on every read rather than remembered per data map (a WeakSet): SqliteStore builds a
    // fresh map per read, and filling a WeakSet with them cost ~1 us per request in GC.
    return this.#checked(record);
  }

  /** Whether the store writes patches and touches synchronously (`patchSync` and `touchSync`). */
  get writesSync(): boolean {
    return typeof this.store.patchSync === 'function' && typeof this.store.touchSync === 'function';
  }

  /** The synchronous patch, for stores that have one. Throws StoreError. */
  patchSync(key: string, patch: SessionPatch): boolean {
    try {
      return (this.store.patchSync as (key: string, patch: SessionPatch) => boolean).call(this.store, key, patch) === true;
    } catch (error) {
      throw asStoreError('patch', error);
    }
  }

  /** The synchronous touch, for stores that have one. Throws StoreError. */
  touchSync(key: string, meta: TouchMeta): boolean {
    try {
      return (this.store.touchSync as (key: string, meta: TouchMeta) => boolean).call(this.store, key, meta) === true;
    } catch (error) {
      throw asStoreError('touch', error);
    }
  }

  set(key: string, record: SessionRecord): Promise<void> {
    return this.#call('set', () => this.store.set(key, record));
  }

  patch(key: string, patch: SessionPatch): Promise<boolean> {
    return this.#call('patch', () => this.store.patch(key, patch));
  }

  touch(key: string, meta: TouchMeta): Promise<boolean> {
    return this.#call('touch', () => this.store.touch(key, meta));
  }

  destroy(key: string): Promise<void> {
    return this.#call('destroy', () => this.store.destroy(key));
  }

  listByUser(userId: string): Promise<UserSessionEntry[]> {
    return this.#call('listByUser', () => this.store.listByUser(userId));
  }

  destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    return this.#call('destroyByUser', () => this.store.destroyByUser(userId, exceptKey));
  }

  /**
   * One store call under the deadline. `map` turns the answer into the result (its throw rejects
   * the call, e.g. CorruptRecordError), inside the same settlement: no extra promise per call.
   */
  #call<T, R = T>(operation: string, run: () => Promise<T>, map?: (value: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const deadline = this.#deadlines.start(() => {
        reject(new StoreTimeoutError(`session store ${operation} did not answer within ${this.#timeoutMs} ms`));
      });
      let pending: Promise<T>;
      try {
        const answer = run();
        // A store method that answers synchronously (forgot `async`) still works, rather than
        // failing with a TypeError (a 500) and leaving its timer running.
        pending = answer instanceof Promise ? answer : Promise.resolve(answer);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          this.#deadlines.cancel(deadline);
          if (map === undefined) {
            resolve(value as unknown as R);
            return;
          }
          try {
            resolve(map(value));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          this.#deadlines.cancel(deadline);
          reject(asStoreError(operation, error));
        },
      );
    });
  }
}

/** A record from one of our own stores, which built it through record-codec's checks. */
function asReturned(record: unknown): SessionRecord | null {
  return (record ?? null) as SessionRecord | null;
}

/** What `get` resolves with: null, the record when already in shape, else a checked copy. */
function checkedOrNull(record: unknown): SessionRecord | null {
  if (record == null) return null;
  return isCheckedRecord(record) ? record : checkRecord(record);
}

function asStoreError(operation: string, error: unknown): HoldfastError {
  // Our own typed errors (StoreError from a store, RecordTooLargeError) pass through unchanged.
  if (error instanceof HoldfastError) return error;
  return new StoreError(`session store ${operation} failed`, { cause: error });
}
