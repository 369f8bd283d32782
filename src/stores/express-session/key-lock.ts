/**
 * A per-key promise chain: tasks for one key run one after another, tasks for different keys run
 * side by side. It only serialises within this process; the map holds a key only while work
 * for it is queued.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Run `task` after every task queued earlier for `key` has settled (either way). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.#tails.size;
  }
}
