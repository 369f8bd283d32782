/**
 * Audit events. Each carries who and where, never a raw session ID or store key: the session is
 * named by its handle. Listeners run synchronously after the fact; a throwing listener is logged
 * and never breaks the request.
 */
import { auditRecordOf } from './audit-vocabulary.ts';
import type { Logger } from './logger.ts';

export type ExpiryReason = 'idle' | 'absolute' | 'anonymous';
export type RejectReason = 'malformed' | 'bad-signature' | 'unknown' | 'corrupt-record';
/** Why holdfast/csrf refused (or, in report-only mode, would have refused) a request. */
export type CsrfReason =
  | 'cross-site'
  | 'same-site'
  | 'bad-fetch-site'
  | 'origin-null'
  | 'origin-mismatch'
  | 'token-missing'
  | 'token-invalid';

export interface SessionEventBase {
  /** Milliseconds since the epoch (the engine's clock). */
  time: number;
  /** Client address by the trustProxy rules, when known. */
  ip: string | undefined;
  method: string | undefined;
  path: string | undefined;
  userId: string | null;
  /** Short non-secret name of the session (see `SessionInfo.handle`). */
  handle: string | undefined;
}

export interface SessionEventMap {
  created: SessionEventBase;
  login: SessionEventBase & { previousHandle: string | undefined };
  logout: SessionEventBase;
  regenerated: SessionEventBase & { previousHandle: string | undefined };
  destroyed: SessionEventBase;
  expired: SessionEventBase & { reason: ExpiryReason };
  rejected: SessionEventBase & { reason: RejectReason };
  revoked: SessionEventBase & { reason: 'revoke' | 'revoke-all' | 'session-limit' };
  'token-reuse': SessionEventBase;
  /** holdfast/csrf refused a request (`reportOnly`: it would have, and let it pass). */
  'csrf-refused': SessionEventBase & { reason: CsrfReason; reportOnly: boolean };
}

export type SessionEventName = keyof SessionEventMap;
export type SessionEvent = { [K in SessionEventName]: SessionEventMap[K] & { type: K } }[SessionEventName];
export type Listener<K extends SessionEventName> = (event: SessionEventMap[K] & { type: K }) => void;

/** Which events a logger hears at which level. */
const LEVEL: Readonly<Record<SessionEventName, 'info' | 'warn'>> = {
  created: 'info',
  login: 'info',
  logout: 'info',
  regenerated: 'info',
  destroyed: 'info',
  expired: 'info',
  rejected: 'warn',
  revoked: 'info',
  'token-reuse': 'warn',
  'csrf-refused': 'warn',
};

export class SessionEvents {
  readonly #listeners = new Map<SessionEventName, Set<(event: never) => void>>();
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  /** Whether anyone listens for this event (lets the hot path skip building it). */
  wants(type: SessionEventName): boolean {
    return this.#logger !== undefined || this.#listeners.has(type);
  }

  on<K extends SessionEventName>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends SessionEventName>(type: K, listener: Listener<K>): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    set.delete(listener as (event: never) => void);
    if (set.size === 0) this.#listeners.delete(type);
  }

  emit<K extends SessionEventName>(type: K, event: SessionEventMap[K]): void {
    const full = { type, ...event } as SessionEventMap[K] & { type: K };
    if (this.#logger !== undefined) {
      // The logged line names the event in the OWASP vocabulary (audit-vocabulary.ts).
      const record = auditRecordOf(full as SessionEvent);
      this.#logger[LEVEL[type]](record, record.description);
    }
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as Listener<K>)(full);
      } catch (error) {
        (this.#logger ?? console).error?.({ err: error }, `holdfast: a "${type}" event listener threw`);
      }
    }
  }
}
