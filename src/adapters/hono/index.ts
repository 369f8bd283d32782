/**
 * holdfast/hono: session middleware for Hono 4.
 *
 * ```ts
 * import { Hono } from 'hono';
 * import { session, type SessionVariables } from 'holdfast/hono';
 * const app = new Hono<{ Variables: SessionVariables }>();
 * app.use(session({ secrets: process.env.SESSION_SECRET, store }));
 * app.post('/login', async (c) => { await c.get('session').login(user.id); return c.text('ok'); });
 * ```
 *
 * - `c.get('session')` (typed through `SessionVariables`) exists for every request after the
 *   middleware: a new in-memory session when there is no session cookie (no store access),
 *   otherwise the loaded one.
 * - After `await next()` the session is committed: the store write is acknowledged, then
 *   `Set-Cookie` is appended to `c.res` and `Cache-Control: no-store` set when a cookie goes out.
 *   Hono's error responses (`app.onError`) are committed too. A store failure throws a StoreError
 *   (`status` 503) into `app.onError`; without one, Hono's default handler answers 503.
 *
 * Transport. On @hono/node-server the node request is in `c.env.incoming` (or
 * `c.env.server.incoming`): the socket gives the peer address and whether the connection is TLS,
 * exactly as for Express. Elsewhere (Bun, Deno, Cloudflare, Lambda) there is no socket: the peer
 * address is unknown (give trustProxy as a hop count, not addresses), and the Request URL's
 * `https:` counts only with `trustRequestUrl: true` — right where the platform terminates TLS and
 * builds the URL itself, wrong behind a node bridge that builds it from headers (see holdfast/web).
 * Hono has no proxy-trust setting of its own: use holdfast's `trustProxy`.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { createDefaultEngine } from '../../create-sessions.ts';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';
import { StoreError } from '../../core/errors.ts';
import type { RequestView } from '../../core/engine-core.ts';
import type { SessionOptions } from '../../core/options.ts';
import { SessionContext } from '../../core/session-context.ts';
import { EXPIRES_HEADER } from '../../core/session-status.ts';
import type { Session, SessionData } from '../../core/session-types.ts';
import { publicSessions, type Sessions } from '../../core/sessions.ts';
import { NodeRequestView } from '../node/request-view.ts';
import { readTrustRequestUrl } from '../web/index.ts';
import { WebRequestView } from '../web/request-view.ts';

export interface HonoSessionOptions extends SessionOptions {
  /** Off node: believe the Request URL's `https:` (see holdfast/web). Default false. */
  trustRequestUrl?: boolean;
}

/** Hono context variables set by the middleware: `new Hono<{ Variables: SessionVariables }>()`. */
export type SessionVariables<Data extends object = SessionData> = {
  session: Session<Data>;
};

/** The Hono `Env` the middleware provides. */
export type SessionEnv<Data extends object = SessionData> = { Variables: SessionVariables<Data> };

export interface HonoSessionMiddleware<Data extends object = SessionData> extends MiddlewareHandler<SessionEnv<Data>> {
  /** The engine: listSessions, revokeSession, revokeAllSessions, on(event), close. */
  readonly sessions: Sessions;
}

interface NodeBindings {
  incoming?: IncomingMessage;
  server?: { incoming?: IncomingMessage };
}

export function session<Data extends object = SessionData>(options: HonoSessionOptions): HonoSessionMiddleware<Data> {
  const sessions = createDefaultEngine(options, ['trustRequestUrl']);
  const trustRequestUrl = readTrustRequestUrl(options);

  const middleware = async function holdfastSession(c: Context<SessionEnv<Data>>, next: Next): Promise<void> {
    // Mounted twice (app.use on overlapping paths): the first one owns the session.
    if (c.get('session') !== undefined) {
      await next();
      return;
    }
    const view = viewOf(c, trustRequestUrl);
    let ctx;
    try {
      const opened = sessions.mayHaveSession(view.header('cookie')) ? sessions.open(view) : sessions.fresh(view);
      // A store that reads synchronously (MemoryStore, SqliteStore) needs no await.
      ctx = opened instanceof SessionContext ? opened : await opened;
    } catch (error) {
      throw withResponse(error);
    }
    c.set('session', ctx.session as Session<Data>);
    await next();
    let setCookie;
    try {
      const plan = ctx.beginCommit();
      setCookie = plan.pending ? await plan.done : plan.setCookie;
    } catch (error) {
      throw withResponse(error);
    }
    const expires = ctx.expiryHeader();
    if (expires !== undefined) c.header(EXPIRES_HEADER, expires);
    if (setCookie === undefined) return;
    // c.header copies the finalized response first when its headers are immutable.
    c.header('Set-Cookie', setCookie, { append: true });
    c.header('Cache-Control', noStoreCacheControl(c.res.headers.get('cache-control') ?? undefined));
  } as HonoSessionMiddleware<Data>;

  Object.defineProperty(middleware, 'sessions', { value: publicSessions(sessions), enumerable: true });
  return middleware;
}

/**
 * Give a StoreError the `getResponse()` Hono's default error handler looks for, so an app without
 * `app.onError` answers 503 (not 500); `app.onError` still receives the StoreError itself.
 */
function withResponse(error: unknown): unknown {
  if (error instanceof StoreError && !('getResponse' in error)) {
    Object.defineProperty(error, 'getResponse', {
      value: () => new Response('Service Unavailable', { status: 503, headers: { 'content-type': 'text/plain; charset=UTF-8' } }),
    });
  }
  return error;
}

function viewOf(c: Context, trustRequestUrl: boolean): RequestView {
  const env = c.env as NodeBindings | undefined;
  const incoming = env?.incoming ?? env?.server?.incoming;
  if (incoming !== undefined && incoming.socket !== undefined) return new NodeRequestView(incoming);
  return new WebRequestView(c.req.raw, undefined, undefined, trustRequestUrl);
}

export { csrf, type CsrfVariables, type CsrfOptions } from './csrf.ts';
export { CsrfError } from '../../csrf/errors.ts';
