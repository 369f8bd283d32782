/**
 * The listener registry behind holdfast's audit events (sessions: src/core/events.ts; token mode:
 * src/tokens/events.ts). Listeners run synchronously after the fact; one that throws is logged
 * and never breaks the request. With a logger, every event is also logged, as the owner's
 * `record` function shapes it (the OWASP logging vocabulary, see audit-vocabulary.ts).
 */
import type { Logger } from './logger.ts';

/** What the logger receives for one event: the record and its one-line description. */
export interface LoggedEvent {
  level: 'info' | 'warn';
  record: Record<string, unknown>;
  description: string;
}

type Full<M, K extends keyof M> = M[K] & { type: K };
/** Any one event of the map, tagged with its type (a discriminated union). */
export type EventOf<M> = { [K in keyof M]: Full<M, K> }[keyof M];

export class EventHub<M extends { [K in keyof M]: object }> {
  readonly #listeners = new Map<keyof M, Set<(event: never) => void>>();
  readonly #logger: Logger | undefined;
  readonly #log: (event: EventOf<M>) => LoggedEvent;
  readonly #what: string;

  /** `what` names the events in the message about a throwing listener ("event", "token event"). */
  constructor(logger: Logger | undefined, log: (event: EventOf<M>) => LoggedEvent, what: string) {
    this.#logger = logger;
    this.#log = log;
    this.#what = what;
  }

  /** Whether anyone listens for this event (lets the hot path skip building it). */
  wants(type: keyof M): boolean {
    return this.#logger !== undefined || this.#listeners.has(type);
  }

  on<K extends keyof M>(type: K, listener: (event: Full<M, K>) => void): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends keyof M>(type: K, listener: (event: Full<M, K>) => void): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    set.delete(listener as (event: never) => void);
    if (set.size === 0) this.#listeners.delete(type);
  }

  emit<K extends keyof M>(type: K, event: M[K]): void {
    const full = { type, ...event } as Full<M, K>;
    if (this.#logger !== undefined) {
      const logged = this.#log(full as unknown as EventOf<M>);
      this.#logger[logged.level](logged.record, logged.description);
    }
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as (event: Full<M, K>) => void)(full);
      } catch (error) {
        (this.#logger ?? console).error?.({ err: error }, `holdfast: a "${String(type)}" ${this.#what} listener threw`);
      }
    }
  }
}
