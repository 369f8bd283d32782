/**
 * Token-mode audit events, in the shape of the session events (src/core/events.ts): time, client
 * IP, user ID, the family's handle (never a token or family ID) and a reason. Listeners run
 * synchronously; one that throws is logged and never breaks the call.
 */
import { vocabularyArg } from '../core/audit-vocabulary.ts';
import { EventHub, type EventOf, type LoggedEvent } from '../core/event-hub.ts';
import type { Logger } from '../core/logger.ts';

export interface TokenEventBase {
  /** Milliseconds since the epoch (the engine's clock). */
  time: number;
  /** Client address, when the caller passed one. */
  ip: string | undefined;
  userId: string | null;
  /** Handle of the refresh-token family (the access token's `sid`). */
  handle: string | undefined;
}

export type TokenRejectReason =
  | 'malformed'
  | 'bad-signature'
  | 'unknown-kid'
  | 'revoked-kid'
  | 'expired'
  | 'unknown-family'
  | 'revoked-family';

export interface TokenEventMap {
  issued: TokenEventBase;
  refreshed: TokenEventBase & { gen: number; grace: boolean };
  /** A refresh token was used again outside the grace rule: its family was revoked. */
  'token-reuse': TokenEventBase & { reason: 'replay' | 'grace-expired'; gen: number; currentGen: number };
  revoked: TokenEventBase & { reason: 'revoke' | 'revoke-user' | 'reuse' };
  expired: TokenEventBase & { reason: 'idle' | 'absolute' };
  rejected: TokenEventBase & { reason: TokenRejectReason; token: 'access' | 'refresh' };
}

export type TokenEventName = keyof TokenEventMap;
/** Any one token event, tagged with its type. */
export type TokenEvent = EventOf<TokenEventMap>;
export type TokenListener<K extends TokenEventName> = (event: TokenEventMap[K] & { type: K }) => void;

const LEVEL: Readonly<Record<TokenEventName, 'info' | 'warn'>> = {
  issued: 'info',
  refreshed: 'info',
  'token-reuse': 'warn',
  revoked: 'info',
  expired: 'info',
  rejected: 'warn',
};

/** Token-mode events: logged in the OWASP logging vocabulary when a logger is set. */
export class TokenEvents extends EventHub<TokenEventMap> {
  constructor(logger: Logger | undefined) {
    super(logger, logTokenEvent, 'token event');
  }
}

/** OWASP vocabulary name and description of one token event (names as in audit-vocabulary.ts). */
export function tokenAuditLineOf(event: TokenEvent): { event: string; description: string } {
  const user = vocabularyArg(event.userId);
  const family = vocabularyArg(event.handle);
  switch (event.type) {
    case 'issued':
      return { event: `authn_token_created:${user}`, description: `User ${user} was issued a token family` };
    case 'refreshed':
      return { event: `authn_token_created:${user}`, description: `User ${user} refreshed token family ${family} (generation ${event.gen}${event.grace ? ', within the reuse grace' : ''})` };
    case 'token-reuse':
      return { event: `authn_token_reuse:${user},${family}`, description: `A used refresh token of user ${user} was presented again (${event.reason}): family ${family} revoked` };
    case 'revoked':
      return { event: `authn_token_revoked:${user},${family}`, description: `Token family ${family} of user ${user} was revoked (${event.reason})` };
    case 'expired':
      return { event: `authn_token_delete:${user},${family}`, description: `Token family ${family} of user ${user} expired (${event.reason} lifetime)` };
    case 'rejected':
      return { event: `authz_fail:${user},token`, description: `A presented ${event.token} token was refused (${event.reason})` };
  }
}

function logTokenEvent(event: TokenEvent): LoggedEvent {
  const line = tokenAuditLineOf(event);
  const record: Record<string, unknown> = {
    datetime: new Date(event.time).toISOString(),
    event: line.event,
    description: line.description,
    type: event.type,
    family: event.handle,
    userId: event.userId,
    source_ip: event.ip,
  };
  if ('reason' in event) record['reason'] = event.reason;
  return { level: LEVEL[event.type], record, description: line.description };
}
