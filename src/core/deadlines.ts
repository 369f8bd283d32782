/**
 * Timeouts for many calls that share one duration, with one timer. The duration is the same for
 * every call and the clock is monotonic, so deadlines arrive in order: the pending calls form a
 * FIFO list and only its head needs a timer. This replaces a setTimeout + clearTimeout per store
 * call (a Timeout object and a timer-list insert and removal each, about 7% of a read-only
 * request), keeping the same behaviour: each call expires at its own deadline, and the timer
 * keeps the process alive exactly while some call is pending.
 */

export interface Deadline {
  readonly at: number;
  readonly onExpire: () => void;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  linked: boolean;
}

export class Deadlines {
  readonly #ms: number;
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether #timer currently keeps the process alive. */
  #refed = false;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Start a deadline `ms` from now; `onExpire` runs once unless `cancel` comes first. */
  start(onExpire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.#ms, onExpire, prev: this.#tail, next: undefined, linked: true };
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#fire, this.#ms);
      this.#refed = true;
    } else if (!this.#refed) {
      this.#timer.ref();
      this.#refed = true;
    }
    return entry;
  }

  /** The call settled in time. Idempotent. */
  cancel(entry: Deadline): void {
    if (!entry.linked) return;
    entry.linked = false;
    if (entry.prev === undefined) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
    // Nothing pending: the armed timer must not hold the process open.
    if (this.#head === undefined && this.#refed && this.#timer !== undefined) {
      this.#timer.unref();
      this.#refed = false;
    }
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#refed = false;
    const now = performance.now();
    let entry = this.#head;
    while (entry !== undefined && entry.at <= now) {
      this.cancel(entry);
      entry.onExpire();
      entry = this.#head;
    }
    if (entry !== undefined) {
      if (this.#timer !== undefined) clearTimeout(this.#timer); // (armed by a start() from onExpire)
      this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(entry.at - now)));
      this.#refed = true;
    }
  };
}
