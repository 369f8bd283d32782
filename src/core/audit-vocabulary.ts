/**
 * How an engine event reads in a log: named after the OWASP Application Logging Vocabulary
 * (https://cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html), so a
 * monitor that keys on `authn_login_success` or `session_use_after_expire` finds holdfast's lines
 * beside the application's own. Listeners keep the engine's names (`login`, `expired`, ...); only
 * the logged line carries these.
 *
 * | engine event            | OWASP event                                   |
 * |-------------------------|-----------------------------------------------|
 * | created                 | session_created[:userid]                      |
 * | login                   | authn_login_success:userid                    |
 * | regenerated             | session_renewed[:userid]                      |
 * | logout                  | session_expired:userid,logout                 |
 * | destroyed               | session_expired:userid,destroyed              |
 * | expired (idle, ...)     | session_expired:userid,idle|absolute|anonymous |
 * | revoked                 | session_expired:userid,revoked|session_limit  |
 * | rejected: unknown       | session_use_after_expire                      |
 * | rejected: other reasons | authz_fail:,session                           |
 * | token-reuse             | authn_token_reuse:userid,handle               |
 *
 * A user ID is the application's own text: `%`, `,`, `:` and control characters in it are
 * percent-encoded so the event still splits on `:` and `,`. An empty position means "no user".
 */
import type { SessionEvent } from './events.ts';

export interface AuditLine {
  /** The OWASP vocabulary name with its arguments, e.g. `authn_login_success:alice`. */
  event: string;
  /** One sentence for humans (also used as the log message). */
  description: string;
}

/** Percent-encodes what would break the `name:arg,arg` grammar. */
export function vocabularyArg(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  // eslint-disable-next-line no-control-regex
  return value.replace(/[%,:\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

const REVOKE_REASON = { revoke: 'revoked', 'revoke-all': 'revoked', 'session-limit': 'session_limit' } as const;

function who(userId: string | null): string {
  return userId === null ? 'An anonymous session' : `User ${vocabularyArg(userId)}`;
}

/** The OWASP event name and a description for one engine event. */
export function auditLineOf(event: SessionEvent): AuditLine {
  const user = vocabularyArg(event.userId);
  const optionalUser = user === '' ? '' : `:${user}`;
  switch (event.type) {
    case 'created':
      return { event: `session_created${optionalUser}`, description: `${who(event.userId)} started a new session` };
    case 'login':
      return { event: `authn_login_success:${user}`, description: `User ${user} logged in (new session ID)` };
    case 'regenerated':
      return { event: `session_renewed${optionalUser}`, description: `${who(event.userId)} was given a new session ID` };
    case 'logout':
      return { event: `session_expired:${user},logout`, description: `${who(event.userId)} logged out` };
    case 'destroyed':
      return { event: `session_expired:${user},destroyed`, description: `${who(event.userId)} session was destroyed` };
    case 'expired':
      return { event: `session_expired:${user},${event.reason}`, description: `${who(event.userId)} session expired (${event.reason} timeout)` };
    case 'revoked':
      return { event: `session_expired:${user},${REVOKE_REASON[event.reason]}`, description: `${who(event.userId)} session was revoked (${event.reason})` };
    case 'rejected':
      return event.reason === 'unknown'
        ? { event: 'session_use_after_expire', description: 'A validly signed session cookie named a session that no longer exists' }
        : { event: 'authz_fail:,session', description: `A session cookie was refused (${event.reason})` };
    case 'csrf-refused':
      return {
        event: `authz_fail:${user},csrf`,
        description: `A cross-site request was ${event.reportOnly ? 'flagged (report-only)' : 'refused'} by CSRF protection (${event.reason})`,
      };
    case 'token-reuse':
      return { event: `authn_token_reuse:${user},${event.handle ?? ''}`, description: `${who(event.userId)} reused a token that was already used or revoked` };
  }
}

/**
 * The object a logger receives for one event: OWASP's fields (`datetime`, `event`, `description`,
 * `source_ip`, `request_method`, `request_uri`) plus holdfast's own (`type`, `session` = the
 * handle, `userId`, `reason`, `previousSession`). Never an ID or a store key. `level` and `appid`
 * are the logger's (pino's level; a child logger's bindings), so they are not repeated here.
 */
export function auditRecordOf(event: SessionEvent): Record<string, unknown> & AuditLine {
  const line = auditLineOf(event);
  const record: Record<string, unknown> & AuditLine = {
    datetime: new Date(event.time).toISOString(),
    event: line.event,
    description: line.description,
    type: event.type,
    session: event.handle,
    userId: event.userId,
    source_ip: event.ip,
    request_method: event.method,
    request_uri: event.path,
  };
  if ('reason' in event) record['reason'] = event.reason;
  if ('previousHandle' in event) record['previousSession'] = event.previousHandle;
  return record;
}
