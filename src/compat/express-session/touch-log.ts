/**
 * Touch throttling: when this process last wrote or touched a session, so read-only requests can
 * skip the store `touch` (a write) until it is due again (`touchAfter`).
 *
 * Keyed by the SHA-256 of the session ID, never the ID itself: the map lives for the life of the
 * process, and a heap snapshot of it must not be a list of live sessions. Bounded: beyond `max`
 * entries the oldest go first (a forgotten entry only means one early touch). Nothing here is
 * logged or stored.
 */
import { hash } from 'node:crypto';

/** What the log is keyed by: the SHA-256 (base64) of a session ID, from touchKey(). */
export type TouchKey = string & { readonly __touchKey: never };

export function touchKey(id: string): TouchKey {
  return hash('sha256', id, 'base64') as TouchKey;
}

export class TouchLog {
  readonly #max: number;
  readonly #at = new Map<TouchKey, number>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(key: TouchKey): number | undefined {
    return this.#at.get(key);
  }

  set(key: TouchKey, at: number): void {
    this.#at.delete(key);
    this.#at.set(key, at);
    if (this.#at.size > this.#max) {
      const oldest = this.#at.keys().next();
      if (oldest.done !== true) this.#at.delete(oldest.value);
    }
  }

  delete(key: TouchKey): void {
    this.#at.delete(key);
  }

  /**
   * Whether a touch is due: `touchAfterMs` has passed since the later of the record's own write
   * time (`recordTouchedAt`, from its cookie) and this process's last write or touch.
   */
  due(key: TouchKey, recordTouchedAt: number | undefined, touchAfterMs: number): boolean {
    let last = recordTouchedAt;
    const logged = this.#at.get(key);
    if (logged !== undefined && (last === undefined || logged > last)) last = logged;
    return last === undefined || Date.now() - last >= touchAfterMs;
  }
}
