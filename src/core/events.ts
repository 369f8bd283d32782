/**
 * Audit events. Each carries who and where, never a raw session ID or store key: the session is
 * named by its handle. Listeners run synchronously after the fact; a throwing listener is logged
 * and never breaks the request.
 */
import { auditRecordOf } from './audit-vocabulary.ts';
import { EventHub, type LoggedEvent } from './event-hub.ts';
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

/** The engine's events: logged in the OWASP vocabulary (audit-vocabulary.ts) when a logger is set. */
export class SessionEvents extends EventHub<SessionEventMap> {
  constructor(logger: Logger | undefined) {
    super(logger, logSessionEvent, 'event');
  }
}

function logSessionEvent(event: SessionEvent): LoggedEvent {
  const record = auditRecordOf(event);
  return { level: LEVEL[event.type], record, description: record.description };
}
