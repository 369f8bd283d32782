/**
 * holdfast/koa: session middleware for Koa 3.
 *
 * ```ts
 * import { session } from 'holdfast/koa';
 * app.use(session({ secrets: process.env.SESSION_SECRET, store }));
 * router.post('/login', async (ctx) => { await ctx.session.login(user.id); ctx.body = 'ok'; });
 * ```
 *
 * - `ctx.session` exists for every request after the middleware. Without a session cookie it is a
 *   new in-memory session built synchronously (no store access); with one it is loaded first.
 * - After `await next()` the session is committed before Koa responds: the store write is
 *   acknowledged, then `Set-Cookie` is appended (the app's other cookies stay) and
 *   `Cache-Control: no-store` set when a cookie goes out. A store failure throws a StoreError
 *   (`status` 503), so Koa answers 503.
 * - If a downstream middleware throws, nothing is committed (Koa's error response drops the
 *   headers anyway); changes made before the throw are lost, as is a cookie clearing.
 * - When `trustProxy` is not given, Koa's own `app.proxy` is honoured (with `app.maxIpsCount` as a
 *   hop count). `app.proxyIpHeader` other than X-Forwarded-For is not supported: holdfast reads the
 *   client address from X-Forwarded-For / Forwarded only.
 * - Responses written around Koa (`ctx.respond = false`, writing to `ctx.res`) must call
 *   `await ctx.session.save()` themselves.
 */
import type { Context, Middleware, Next } from 'koa';
import { createSessions } from '../../create-sessions.ts';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';
import type { SessionOptions } from '../../core/options.ts';
import type { SessionContext } from '../../core/session-context.ts';
import type { Session } from '../../core/session-types.ts';
import type { Sessions } from '../../core/sessions.ts';
import type { TrustFn } from '../../core/trust-proxy.ts';
import { NodeRequestView } from '../node/request-view.ts';

declare module 'koa' {
  interface ExtendableContext {
    /** The holdfast session (holdfast/koa). */
    session: Session;
  }
}

export type KoaSessionOptions = SessionOptions;

export interface KoaSessionMiddleware extends Middleware {
  /** The engine: listSessions, revokeSession, revokeAllSessions, on(event), close. */
  readonly sessions: Sessions;
}

/** The Koa application settings that say which proxies to trust. */
interface KoaProxySettings {
  proxy?: boolean;
  maxIpsCount?: number;
}

const kContext = Symbol('holdfast.context');
type ContextWithSession = Context & { [kContext]?: SessionContext };

const trustEverything: TrustFn = () => true;
const hopTrust = new Map<number, TrustFn>();

export function session(options: KoaSessionOptions): KoaSessionMiddleware {
  const sessions = createSessions(options);
  const useAppTrust = options.trustProxy === undefined;

  const middleware = async function holdfastSession(ctx: Context, next: Next): Promise<void> {
    // Mounted twice (or by a parent app and a sub-app): the first one owns the session.
    if ((ctx as ContextWithSession)[kContext] !== undefined) return next();
    const trust = useAppTrust ? appTrust(ctx.app as KoaProxySettings) : undefined;
    const view = new NodeRequestView(ctx.req, ctx.originalUrl);
    const sc: SessionContext = sessions.mayHaveSession(ctx.req.headers.cookie)
      ? await sessions.load(view, trust)
      : sessions.fresh(view, trust);
    (ctx as ContextWithSession)[kContext] = sc;
    ctx.session = sc.session;
    await next();
    const plan = sc.beginCommit();
    const setCookie = plan.pending ? await plan.done : plan.setCookie;
    if (setCookie === undefined) return;
    ctx.append('Set-Cookie', setCookie);
    const existing = ctx.response.get('Cache-Control');
    ctx.set('Cache-Control', noStoreCacheControl(existing === '' ? undefined : existing));
  } as KoaSessionMiddleware;

  Object.defineProperty(middleware, 'sessions', { value: sessions, enumerable: true });
  return middleware;
}

/** Koa's proxy trust: `app.proxy` trusts the forwarded headers, `app.maxIpsCount` limits the hops. */
function appTrust(app: KoaProxySettings): TrustFn | undefined {
  if (app.proxy !== true) return undefined;
  const max = app.maxIpsCount;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0) return trustEverything;
  let fn = hopTrust.get(max);
  if (fn === undefined) {
    fn = (_addr, hopIndex) => hopIndex < max;
    if (hopTrust.size < 64) hopTrust.set(max, fn);
  }
  return fn;
}
