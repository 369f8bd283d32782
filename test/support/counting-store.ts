/**
 * Wraps any SessionStore and counts every call per method, so tests can assert "0 writes" or
 * "never reached the store". It can also be switched, while a server runs, to a failing mode:
 * 'hang' (calls never settle), 'reject' (calls reject with a plain Error) or 'garbage' (get resolves
 * with a record no store could have written), or slowed down (`delayMs`).
 *
 * With `reads: 'sync'` (and an inner store that has them) it also offers `getSync`, `patchSync`
 * and `touchSync`, so the engine takes its synchronous paths, as it does on a bare MemoryStore or
 * SqliteStore; a synchronous call cannot hang or wait, so they are withdrawn while the store
 * hangs or is slowed down.
 */
import type { SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../src/core/store.ts';

export type StoreMethod = 'get' | 'set' | 'patch' | 'touch' | 'destroy' | 'listByUser' | 'destroyByUser' | 'sweep';
export type FailureMode = 'none' | 'hang' | 'reject' | 'garbage';

const WRITES: readonly StoreMethod[] = ['set', 'patch', 'touch', 'destroy', 'destroyByUser'];

export class CountingStore implements SessionStore {
  readonly inner: SessionStore;
  calls: Record<StoreMethod, number> = zero();
  /** Keys passed to set(), in order (the store keys sessions were created under). */
  setKeys: string[] = [];
  failure: FailureMode = 'none';
  /** Every call waits this long before reaching the inner store (a slow network store). */
  delayMs = 0;

  readonly reads: 'sync' | 'async';

  constructor(inner: SessionStore, options: { reads?: 'sync' | 'async' } = {}) {
    this.inner = inner;
    this.reads = options.reads ?? 'async';
  }

  /** The synchronous patch, while the store can answer synchronously (see the class comment). */
  get patchSync(): ((key: string, patch: SessionPatch) => boolean) | undefined {
    const inner = this.inner.patchSync;
    if (!this.#syncNow() || inner === undefined) return undefined;
    return (key: string, patch: SessionPatch) => {
      this.calls.patch++;
      if (this.failure === 'reject') throw new Error('test store: patch failed on purpose');
      return inner.call(this.inner, key, patch);
    };
  }

  /** The synchronous touch, while the store can answer synchronously (see the class comment). */
  get touchSync(): ((key: string, meta: TouchMeta) => boolean) | undefined {
    const inner = this.inner.touchSync;
    if (!this.#syncNow() || inner === undefined) return undefined;
    return (key: string, meta: TouchMeta) => {
      this.calls.touch++;
      if (this.failure === 'reject') throw new Error('test store: touch failed on purpose');
      return inner.call(this.inner, key, meta);
    };
  }

  #syncNow(): boolean {
    return this.reads === 'sync' && this.failure !== 'hang' && this.delayMs === 0;
  }

  /** The synchronous read, while the store can answer synchronously (see the class comment). */
  get getSync(): ((key: string) => SessionRecord | null) | undefined {
    const inner = this.inner.getSync;
    if (!this.#syncNow() || inner === undefined) return undefined;
    return (key: string) => {
      this.calls.get++;
      if (this.failure === 'reject') throw new Error('test store: get failed on purpose');
      if (this.failure === 'garbage') return { meta: { userId: 42, createdAt: 'yesterday' }, data: 7 } as unknown as SessionRecord;
      return inner.call(this.inner, key);
    };
  }

  reset(): void {
    this.calls = zero();
    this.setKeys = [];
  }

  /** set + patch + touch + destroy + destroyByUser. */
  get writes(): number {
    return WRITES.reduce((n, m) => n + this.calls[m], 0);
  }

  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  get(key: string): Promise<SessionRecord | null> {
    return this.#run('get', () => this.inner.get(key));
  }

  set(key: string, record: SessionRecord): Promise<void> {
    this.setKeys.push(key);
    return this.#run('set', () => this.inner.set(key, record));
  }

  patch(key: string, patch: SessionPatch): Promise<boolean> {
    return this.#run('patch', () => this.inner.patch(key, patch));
  }

  touch(key: string, meta: TouchMeta): Promise<boolean> {
    return this.#run('touch', () => this.inner.touch(key, meta));
  }

  destroy(key: string): Promise<void> {
    return this.#run('destroy', () => this.inner.destroy(key));
  }

  listByUser(userId: string): Promise<UserSessionEntry[]> {
    return this.#run('listByUser', () => this.inner.listByUser(userId));
  }

  destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    return this.#run('destroyByUser', () => this.inner.destroyByUser(userId, exceptKey));
  }

  sweep(now: number): Promise<number> {
    return this.#run('sweep', () => this.inner.sweep?.(now) ?? Promise.resolve(0));
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  #run<T>(method: StoreMethod, call: () => Promise<T>): Promise<T> {
    this.calls[method]++;
    if (this.failure === 'hang') return new Promise<T>(() => undefined);
    if (this.failure === 'reject') return Promise.reject(new Error(`test store: ${method} failed on purpose`));
    if (this.failure === 'garbage' && method === 'get') return Promise.resolve({ meta: { userId: 42, createdAt: 'yesterday' }, data: 7 } as T);
    if (this.delayMs > 0) return new Promise((resolve) => setTimeout(resolve, this.delayMs)).then(call);
    return call();
  }
}

function zero(): Record<StoreMethod, number> {
  return { get: 0, set: 0, patch: 0, touch: 0, destroy: 0, listByUser: 0, destroyByUser: 0, sweep: 0 };
}
