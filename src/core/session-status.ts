/**
 * Server side of the browser's idle-timeout warning (holdfast/client): a status answer that
 * reads the session's expiry without counting as activity, and an extend that does count.
 * Framework-agnostic: pass the session object your adapter gives you (`req.session`,
 * `request.session`, `ctx.session`, `c.get('session')`, `web.session`).
 *
 * ```ts
 * app.get('/session/status', (req, res) => res.json(sessionStatus(req.session)));
 * app.post('/session/extend', (req, res) => res.json(extendSession(req.session)));
 * ```
 *
 * Remaining time is what the browser uses (never the server's absolute clock), so a client whose
 * clock is off still warns on time.
 */
import { contextOf } from './session-proxy.ts';
import type { SessionContext } from './session-context.ts';

/** Response header with the seconds a session has left (the `expiryHeader` option). */
export const EXPIRES_HEADER = 'Holdfast-Session-Expires';

export interface SessionStatus {
  /** A user is signed in on this session. */
  authenticated: boolean;
  /** When the session ends if nothing else happens (server clock, ms since the epoch), or null. */
  expiresAt: number | null;
  /** Milliseconds left: what a client should count down from. 0 when there is no session. */
  remainingMs: number;
  /** The idle limit that applies (a request extends the expiry to now + this, capped). */
  idleTimeoutMs: number;
  /** When the absolute timeout ends the session whatever the activity, or null. */
  absoluteExpiresAt: number | null;
}

function contextFor(session: unknown, caller: string): SessionContext {
  const ctx = contextOf(session);
  if (ctx === undefined) throw new TypeError(`${caller} needs the holdfast session object (req.session, ctx.session, c.get('session'), ...)`);
  return ctx;
}

function statusOf(ctx: SessionContext, expiresAt: number): SessionStatus {
  const live = !ctx.isNew;
  const remainingMs = live ? Math.max(0, expiresAt - ctx.now()) : 0;
  return {
    authenticated: live && ctx.meta.userId !== null && remainingMs > 0,
    expiresAt: live ? expiresAt : null,
    remainingMs,
    idleTimeoutMs: ctx.idleLimitMs,
    absoluteExpiresAt: live ? ctx.absoluteExpiresAt : null,
  };
}

/**
 * The session's status, and mark this request passive: its commit will not extend the session
 * (no touch, no store write, no Set-Cookie), however long ago it was last touched.
 */
export function sessionStatus(session: unknown): SessionStatus {
  const ctx = contextFor(session, 'sessionStatus()');
  ctx.passive = true;
  // The stored expiry too: a record touched under other timeouts ends at the earlier of the two.
  return statusOf(ctx, Math.min(ctx.expiresAt, ctx.meta.expiresAt));
}

/**
 * Extend the session now (as `session.touch()`, whatever touchAfter says) and return the status
 * it will have once this response's commit has written the touch. Use it on a POST route.
 */
export function extendSession(session: unknown): SessionStatus {
  const ctx = contextFor(session, 'extendSession()');
  ctx.passive = false;
  void ctx.touch();
  if (ctx.isNew) return statusOf(ctx, 0);
  const now = ctx.now();
  return statusOf(ctx, Math.min(now + ctx.idleLimitMs, ctx.absoluteExpiresAt));
}
