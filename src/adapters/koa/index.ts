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
 *   new in-memory session, built synchronously (no store access) the first time the app reads
 *   `ctx.session`; a request that never reads it costs nothing. With a cookie it is loaded first.
 * - After `await next()` the session (if built or loaded) is committed before Koa responds: the
 *   store write is acknowledged, then `Set-Cookie` is appended (the app's other cookies stay) and
 *   `Cache-Control: no-store` set when a cookie goes out. A store failure throws a StoreError
 *   (`status` 503), so Koa answers 503.
 * - If a downstream middleware throws, nothing is committed (Koa's error response drops the
 *   headers anyway); changes made before the throw are lost, as is a cookie clearing.
 * - When `trustProxy` is not given, Koa's own `app.proxy` is honoured (with `app.maxIpsCount` as a
 *   hop count). `app.proxyIpHeader` other than X-Forwarded-For is not supported: holdfast reads the
 *   client address from X-Forwarded-For / Forwarded only.
 * - Responses written around Koa (`ctx.respond = false`, writing to `ctx.res`) must call
 *   `await ctx.session.save()` themselves.
 * - `ctx.session` is an accessor on `app.context` (Koa's per-app context prototype), installed the
 *   first time the middleware runs for that app; assigning `ctx.session` shadows it on that ctx.
 */
import type { Context, Middleware, Next } from 'koa';
import { createDefaultEngine } from '../../create-sessions.ts';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';
import type { SessionOptions } from '../../core/options.ts';
import { SessionContext } from '../../core/session-context.ts';
import { EXPIRES_HEADER } from '../../core/session-status.ts';
import type { Session } from '../../core/session-types.ts';
import { publicSessions, type Engine, type Sessions } from '../../core/sessions.ts';
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

/** One per middleware: what the lazy getter needs to build a fresh session for a request. */
class Owner {
  readonly sessions: Engine;
  readonly useAppTrust: boolean;

  constructor(sessions: Engine, useAppTrust: boolean) {
    this.sessions = sessions;
    this.useAppTrust = useAppTrust;
  }

  fresh(ctx: Context): SessionContext {
    const trust = this.useAppTrust ? appTrust(ctx.app as KoaProxySettings) : undefined;
    return this.sessions.fresh(new NodeRequestView(ctx.req, ctx.originalUrl), trust);
  }
}

/**
 * Per-request state, one slot on ctx: the Owner while the session is not built yet, then its
 * SessionContext. Absent: the middleware did not run for this ctx.
 */
const kState = Symbol('holdfast.koa.state');
/** Marks a context prototype that carries the lazy `session` accessor. */
const kInstalled = Symbol('holdfast.koa.installed');

type StatefulContext = Context & { [kState]?: Owner | SessionContext; [kInstalled]?: true };

const trustEverything: TrustFn = () => true;
const hopTrust = new Map<number, TrustFn>();

export function session(options: KoaSessionOptions): KoaSessionMiddleware {
  const sessions = createDefaultEngine(options);
  const owner = new Owner(sessions, options.trustProxy === undefined);

  const middleware = async function holdfastSession(ctx: Context, next: Next): Promise<void> {
    const sctx = ctx as StatefulContext;
    // Mounted twice (or by a parent app and a sub-app): the first one owns the session.
    if (sctx[kState] !== undefined) return next();
    if (sctx[kInstalled] !== true) installAccessor(sctx);
    if (sessions.mayHaveSession(ctx.req.headers.cookie)) {
      const trust = owner.useAppTrust ? appTrust(ctx.app as KoaProxySettings) : undefined;
      const opened = sessions.open(new NodeRequestView(ctx.req, ctx.originalUrl), trust);
      // A store that reads synchronously (MemoryStore, SqliteStore) needs no await.
      sctx[kState] = opened instanceof SessionContext ? opened : await opened;
    } else {
      // No session cookie: build the session only if the app reads ctx.session.
      sctx[kState] = owner;
    }
    await next();
    const sc = sctx[kState];
    if (!(sc instanceof SessionContext)) return;
    const plan = sc.beginCommit();
    const setCookie = plan.pending ? await plan.done : plan.setCookie;
    const expires = sc.expiryHeader();
    if (expires !== undefined) ctx.set(EXPIRES_HEADER, expires);
    if (setCookie === undefined) return;
    ctx.append('Set-Cookie', setCookie);
    const existing = ctx.response.get('Cache-Control');
    ctx.set('Cache-Control', noStoreCacheControl(existing === '' ? undefined : existing));
  } as KoaSessionMiddleware;

  Object.defineProperty(middleware, 'sessions', { value: publicSessions(sessions), enumerable: true });
  return middleware;
}

function lazyGet(this: StatefulContext): Session | undefined {
  const state = this[kState];
  if (state === undefined) return undefined;
  if (state instanceof SessionContext) return state.session;
  const sc = state.fresh(this);
  this[kState] = sc;
  return sc.session;
}

function lazySet(this: StatefulContext, value: unknown): void {
  Object.defineProperty(this, 'session', { value, writable: true, configurable: true, enumerable: true });
}

/** The same getter/setter pair for every request and app: one shared hidden-class shape. */
const LAZY_SESSION: PropertyDescriptor = { configurable: true, enumerable: true, get: lazyGet, set: lazySet };

/**
 * Put the accessor on the app's context prototype (Koa creates each ctx from `app.context`);
 * a ctx built some other way gets it as an own property.
 */
function installAccessor(ctx: StatefulContext): void {
  const proto = (ctx.app as { context?: unknown } | undefined)?.context;
  if (typeof proto === 'object' && proto !== null && Object.prototype.isPrototypeOf.call(proto, ctx)) {
    try {
      Object.defineProperty(proto, 'session', LAZY_SESSION);
      Object.defineProperty(proto, kInstalled, { value: true, configurable: true });
      return;
    } catch {
      // A non-configurable `session` already there: fall back to the ctx itself.
    }
  }
  Object.defineProperty(ctx, 'session', LAZY_SESSION);
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

export { csrf, type CsrfOptions } from './csrf.ts';
export { CsrfError } from '../../csrf/errors.ts';
