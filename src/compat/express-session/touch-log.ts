/**
 * When this process last wrote or touched a session, so read-only requests can skip the store
 * `touch` (a write) until it is due again. Bounded: beyond `max` entries the oldest go first (a
 * forgotten entry only means one early touch). Keyed by session ID in this process's memory,
 * which holds the ID for the request anyway; nothing here is logged or stored.
 */
export class TouchLog {
  readonly #max: number;
  readonly #at = new Map<string, number>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(id: string): number | undefined {
    return this.#at.get(id);
  }

  set(id: string, at: number): void {
    this.#at.delete(id);
    this.#at.set(id, at);
    if (this.#at.size > this.#max) {
      const oldest = this.#at.keys().next();
      if (oldest.done !== true) this.#at.delete(oldest.value);
    }
  }

  delete(id: string): void {
    this.#at.delete(id);
  }
}
