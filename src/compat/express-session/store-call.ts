/**
 * Calling an express-session store (connect-redis, connect-pg-simple, MemoryStore, ...): the
 * callback contract, hardened.
 *
 * - The callback is the answer. A returned promise counts only when it rejects, or, for `get`,
 *   when it fulfils with a value before the callback came (a promise-only store).
 * - Settles once: connect-redis calls the callback inside a try block, so a throwing callback
 *   would be called again with its own error.
 * - A store that never answers does not hang the request: after `timeoutMs` the call fails with
 *   a StoreTimeoutError (503). 0 disables the timer.
 * - Failures become a StoreError (status 503) with the store's error as `cause`. The message
 *   never repeats the store's text, which can quote keys (raw session IDs).
 */
import { StoreError, StoreTimeoutError } from '../../core/errors.ts';

export type StoreCallback = (err?: unknown, value?: unknown) => void;

/** The methods of an express-session store the drop-in calls. */
export interface StoreLike {
  get(sid: string, callback: StoreCallback): unknown;
  set(sid: string, session: object, callback?: StoreCallback): unknown;
  destroy(sid: string, callback?: StoreCallback): unknown;
  touch?(sid: string, session: object, callback?: StoreCallback): unknown;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  [key: string]: unknown;
}

export type StoreOp = 'get' | 'set' | 'destroy' | 'touch';

export function storeFailure(op: StoreOp, cause: unknown): StoreError {
  return new StoreError(`the session store failed (${op})`, { cause });
}

/**
 * Run `store[op](...args, callback)`; `done(err, value)` is called exactly once, never
 * synchronously inside the store call. `err` is a StoreError, or (for `get`) the store's own
 * error when it has `code === 'ENOENT'` (file stores' "not found", which the caller treats as
 * "no session").
 */
export function callStore(store: StoreLike, op: StoreOp, args: readonly unknown[], timeoutMs: number, done: StoreCallback): void {
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (err: unknown, value?: unknown): void => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    if (err) {
      const code = (err as { code?: unknown }).code;
      done(op === 'get' && code === 'ENOENT' ? err : storeFailure(op, err));
    } else {
      done(undefined, value);
    }
  };
  let sync = true;
  const callback: StoreCallback = (err, value) => {
    if (sync) process.nextTick(finish, err, value);
    else finish(err, value);
  };

  let result: unknown;
  try {
    const method = store[op] as (...a: unknown[]) => unknown;
    result = method.call(store, ...args, callback);
  } catch (error) {
    sync = false;
    process.nextTick(finish, error ?? new Error('store threw'));
    return;
  }
  sync = false;
  if (settled) return;
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      done(new StoreTimeoutError(`the session store did not answer within ${timeoutMs} ms (${op})`));
    }, timeoutMs);
    timer.unref?.();
  }
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(
      (value) => {
        if (op === 'get' && value !== undefined) finish(undefined, value);
      },
      (error: unknown) => finish(error ?? new Error('store promise rejected')),
    );
  }
}

/** Promise form of callStore. */
export function callStorePromise(store: StoreLike, op: StoreOp, args: readonly unknown[], timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    callStore(store, op, args, timeoutMs, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
