/**
 * Calling an express-session store method and getting one promise back, whatever style the
 * store was written in:
 * - callback style (`store.get(sid, (err, sess) => …)`, express-session's MemoryStore,
 *   connect-pg-simple, connect-mongo's callback path);
 * - promise style (the method returns a promise and may ignore the callback);
 * - both (connect-redis 8+: an async method that also calls the callback).
 *
 * The first of "callback called" and "returned promise settled" wins; the other is ignored
 * (its rejection included, so nothing becomes an unhandled rejection). A method that throws
 * synchronously rejects. A call that settles neither way within `timeoutMs` rejects with a
 * StoreTimeoutError, so a wrapped store that never calls back cannot hold a per-key lock forever.
 *
 * Known ambiguity: a method that returns a promise which resolves *before* its callback carries
 * the real answer (an `async` method that starts a callback operation without awaiting it) would
 * be read from the promise. Pass `{ api: 'callback' }` to the bridge for such a store.
 */
import { HoldfastError, StoreError, StoreTimeoutError } from '../../core/errors.ts';

/** How the bridge reads a wrapped store's answer. */
export type StoreApiStyle = 'auto' | 'callback' | 'promise';

type Callback = (error?: unknown, value?: unknown) => void;

interface Thenable {
  then(onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void): unknown;
}

const isThenable = (value: unknown): value is Thenable =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';

/**
 * Call `target[method](...args, callback)` and resolve with the callback's (or promise's) value.
 * Failures become a StoreError naming the operation (never a key) with the original as `cause`.
 */
export function invoke(
  target: object,
  method: string,
  args: readonly unknown[],
  options: { timeoutMs: number; style: StoreApiStyle; operation: string },
): Promise<unknown> {
  const { timeoutMs, style, operation } = options;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, failed: boolean, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failed) reject(wrap(operation, error));
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new StoreTimeoutError(`express-session store ${operation} did not answer within ${timeoutMs} ms`), true),
      timeoutMs,
    );
    timer.unref?.();

    const callback: Callback = (error, value) => {
      if (style === 'promise') return;
      if (error != null && error !== false) finish(error, true);
      else finish(undefined, false, value);
    };

    let returned: unknown;
    try {
      const fn = (target as Record<string, unknown>)[method];
      if (typeof fn !== 'function') throw new StoreError(`the wrapped express-session store has no ${method}() method`);
      returned = (fn as (...a: unknown[]) => unknown).apply(target, [...args, callback]);
    } catch (error) {
      finish(error, true);
      return;
    }
    if (style !== 'callback' && isThenable(returned)) {
      returned.then(
        (value) => finish(undefined, false, value),
        (reason: unknown) => finish(reason ?? new Error('promise rejected without a reason'), true),
      );
    } else if (style === 'promise') {
      finish(new StoreError(`the wrapped express-session store's ${method}() did not return a promise`), true);
    }
  });
}

function wrap(operation: string, error: unknown): Error {
  if (error instanceof HoldfastError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
  return new StoreError(`express-session store ${operation} failed${suffix}`, { cause: error });
}
