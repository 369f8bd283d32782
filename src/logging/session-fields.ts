/**
 * Naming a request's session in a log line by its handle (the non-secret prefix of the store
 * key's hash), never its ID. Reading a session here never creates one: an Express request whose
 * session was not touched still has the adapter's lazy accessor, which these helpers leave alone.
 */

interface SessionShape {
  readonly handle?: unknown;
  readonly isNew?: unknown;
  readonly userId?: unknown;
  readonly expiresAt?: unknown;
}

/** The session object a request (or a Koa / Hono context) carries, if the handler made one. */
function sessionOf(holder: unknown): SessionShape | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(holder, 'session');
  // An accessor is the adapter's lazy session: no session exists yet, and reading would make one.
  if (descriptor === undefined || !('value' in descriptor)) return undefined;
  const value: unknown = descriptor.value;
  return value !== null && typeof value === 'object' ? (value as SessionShape) : undefined;
}

/** The handle of a stored session, or undefined (no session, or a new one that was never stored). */
export function handleOfSession(session: unknown): string | undefined {
  if (session === null || typeof session !== 'object') return undefined;
  const s = session as SessionShape;
  if (s.isNew === true) return undefined;
  return typeof s.handle === 'string' ? s.handle : undefined;
}

/** The session handle on `req.session`, or undefined; never creates a session. */
export function sessionHandleOf(req: unknown): string | undefined {
  return handleOfSession(sessionOf(req));
}

/**
 * pino serializer for a session object: `pino({ serializers: { session: sessionSerializer } })`,
 * then `log.info({ session: req.session })` logs `{ handle, userId, isNew, expiresAt }`.
 */
export function sessionSerializer(session: unknown): unknown {
  if (session === null || typeof session !== 'object') return session;
  const s = session as SessionShape;
  return {
    handle: handleOfSession(s),
    userId: typeof s.userId === 'string' ? s.userId : null,
    isNew: s.isNew === true,
    expiresAt: typeof s.expiresAt === 'number' ? new Date(s.expiresAt).toISOString() : undefined,
  };
}

/**
 * pino-http `customProps`: `pinoHttp({ customProps: sessionProps })` adds `session: <handle>`
 * (and `userId`) to the request's completion line. Empty when the request has no stored session.
 */
export function sessionProps(req: unknown, _res?: unknown): { session?: string; userId?: string } {
  const session = sessionOf(req);
  const handle = handleOfSession(session);
  if (handle === undefined) return {};
  const userId = session?.userId;
  return typeof userId === 'string' ? { session: handle, userId } : { session: handle };
}
