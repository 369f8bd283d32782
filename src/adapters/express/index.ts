/**
 * holdfast/express: session middleware for Express 5 and 4, Connect, and plain node:http
 * (`middleware(req, res, next)`).
 *
 * ```ts
 * import { session } from 'holdfast/express';
 * app.use(session({ secrets: process.env.SESSION_SECRET, store: new SqliteStore({ path: 'data/sessions.sqlite' }) }));
 * app.post('/login', async (req, res) => { await req.session.login(user.id); res.redirect('/'); });
 * ```
 *
 * When `trustProxy` is not given, Express's own `trust proxy` setting is honoured.
 * Store failures reach `next(err)` as a StoreError with status 503.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDefaultEngine } from '../../create-sessions.ts';
import type { SessionOptions } from '../../core/options.ts';
import { SessionContext } from '../../core/session-context.ts';
import { publicSessions, type Sessions } from '../../core/sessions.ts';
import type { Session, SessionData } from '../../core/session-types.ts';
import type { TrustFn } from '../../core/trust-proxy.ts';
import { commitOnEnd } from '../node/commit-on-end.ts';
import { NodeRequestView } from '../node/request-view.ts';

export type ExpressSessionOptions = SessionOptions;

/** A request after the middleware ran. Use it, or augment Express's Request yourself. */
export interface RequestWithSession<Data extends object = SessionData> extends IncomingMessage {
  session: Session<Data>;
}

export type Next = (error?: unknown) => void;

export interface SessionMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: Next): void;
  /** The engine: listSessions, revokeSession, revokeAllSessions, on(event), close. */
  readonly sessions: Sessions;
}

interface ExpressRequestBits {
  originalUrl?: string;
  app?: { settings?: Record<string, unknown> | null };
}

export function session(options: ExpressSessionOptions): SessionMiddleware {
  const sessions = createDefaultEngine(options);
  const useAppTrust = options.trustProxy === undefined;

  const middleware = function holdfastSession(req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (Object.hasOwn(req, 'session')) {
      next();
      return;
    }
    const bits = req as IncomingMessage & ExpressRequestBits;
    if (!sessions.mayHaveSession(req.headers.cookie)) {
      // No session cookie: nothing to load. Build the session only if the handler touches it.
      defineLazySession(req, () => {
        const ctx = sessions.fresh(new NodeRequestView(req, bits.originalUrl), useAppTrust ? appTrust(bits) : undefined);
        commitOnEnd(res, ctx, next);
        return ctx.session;
      });
      next();
      return;
    }
    const opened = sessions.open(new NodeRequestView(req, bits.originalUrl), useAppTrust ? appTrust(bits) : undefined);
    if (opened instanceof SessionContext) {
      // The store read synchronously (MemoryStore, SqliteStore): no promise hop.
      start(req, res, opened, next);
      return;
    }
    opened
      .then((ctx) => start(req, res, ctx, next), next)
      // A `next` that throws (plain node:http code) must surface like a synchronous throw would,
      // as an uncaught exception, not vanish into an unhandled rejection.
      .catch(rethrowOutsidePromise);
  } as SessionMiddleware;

  Object.defineProperty(middleware, 'sessions', { value: publicSessions(sessions), enumerable: true });
  return middleware;
}

function start(req: IncomingMessage, res: ServerResponse, ctx: SessionContext, next: Next): void {
  // A plain assignment makes the same own data property as defineProperty, without a descriptor
  // object per request; only an accessor somewhere up the prototype chain needs the slow way.
  if ('session' in req) setSession(req, ctx.session);
  else (req as IncomingMessage & { session: unknown }).session = ctx.session;
  commitOnEnd(res, ctx, next);
  next();
}

function rethrowOutsidePromise(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

/**
 * Express's compiled `trust proxy` function, when the app set one. Read from `app.settings`
 * (inherited by mounted sub-apps through its prototype), as `app.get()` does, without the call.
 */
function appTrust(req: ExpressRequestBits): TrustFn | undefined {
  const settings = req.app?.settings;
  if (settings === undefined || settings === null || !settings['trust proxy']) return undefined;
  const fn = settings['trust proxy fn'];
  return typeof fn === 'function' ? (fn as TrustFn) : undefined;
}

function setSession(req: IncomingMessage, value: unknown): void {
  Object.defineProperty(req, 'session', { value, writable: true, configurable: true, enumerable: true });
}

/** Where a request keeps the function that builds its session on first use. */
const CREATE = Symbol('holdfast.createSession');
type LazyRequest = IncomingMessage & { [CREATE]?: (() => Session) | undefined };

function lazyGet(this: LazyRequest): unknown {
  const create = this[CREATE];
  this[CREATE] = undefined;
  const value = create === undefined ? undefined : create();
  setSession(this, value);
  return value;
}

function lazySet(this: LazyRequest, value: unknown): void {
  this[CREATE] = undefined;
  setSession(this, value);
}

/**
 * One descriptor with the same two functions for every request: V8 then reuses one hidden-class
 * transition, where fresh getter/setter closures per request cost ~0.9 µs (and GC) on every
 * anonymous request.
 */
const LAZY_SESSION: PropertyDescriptor = { configurable: true, enumerable: true, get: lazyGet, set: lazySet };

function defineLazySession(req: IncomingMessage, create: () => Session): void {
  (req as LazyRequest)[CREATE] = create;
  Object.defineProperty(req, 'session', LAZY_SESSION);
}

export { csrf, type CsrfMiddleware, type RequestWithCsrf, type CsrfOptions } from './csrf.ts';
export { CsrfError } from '../../csrf/errors.ts';
