/** The SessionContext behind the session object an adapter's session middleware put on the request. */
import { ConfigError } from '../core/errors.ts';
import type { SessionContext } from '../core/session-context.ts';
import { SESSION_CONTEXT } from '../core/session-proxy.ts';

/** The context, or a ConfigError saying that holdfast's session middleware must run first. */
export function contextOf(session: unknown, where: string): SessionContext {
  const ctx = typeof session === 'object' && session !== null ? (session as Record<symbol, unknown>)[SESSION_CONTEXT] : undefined;
  if (ctx === undefined) {
    throw new ConfigError(`holdfast csrf found no holdfast session on the request: mount ${where} before csrf()`);
  }
  return ctx as SessionContext;
}
