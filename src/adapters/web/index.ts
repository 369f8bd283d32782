/**
 * holdfast/web: sessions for fetch-style servers — anything that hands you a Web `Request` and
 * wants a `Response` back (Next.js route handlers, React Router, SvelteKit, Astro, Bun, Deno).
 *
 * ```ts
 * import { createWebSessions } from 'holdfast/web';
 * const sessions = createWebSessions({ secrets: process.env.SESSION_SECRET, store });
 *
 * export async function POST(request: Request) {          // a Next.js route handler
 *   const web = await sessions.load(request);
 *   await web.session.login(userId);
 *   return web.commit(Response.json({ ok: true }));
 * }
 * ```
 *
 * - `load(request, info?)` verifies the cookie and reads the store (only when a session cookie is
 *   present); it rejects only with a StoreError (`status` 503) when the store fails.
 * - `commit(response)` writes what the handler changed, waits for the store to acknowledge, then
 *   returns the response with `Set-Cookie` appended and `Cache-Control: no-store` (or the response
 *   unchanged when no cookie goes out). Responses with immutable headers (`Response.redirect()`,
 *   a `fetch()` result) are copied. It rejects with a StoreError (503) when the store fails:
 *   answer 503 then. Call it once, with the response you return.
 * - Transport: a Request has no socket. Pass `info.remoteAddress` (the peer address) and, when you
 *   know the connection is TLS, `info.encrypted: true`. Otherwise the Request URL's `https:` counts
 *   only with `trustRequestUrl: true` — set it where the platform itself terminates TLS and builds
 *   the URL (Vercel, Netlify, Cloudflare, Deno Deploy; Bun and Deno serving TLS themselves). Behind
 *   your own proxy use `trustProxy` as usual. See src/adapters/web/request-view.ts.
 * - `info.trust` (a TrustFn such as Express's `app.get('trust proxy fn')`) is the host framework's
 *   proxy trust; it is used when holdfast's `trustProxy` option is not set.
 */
import { createDefaultEngine } from '../../create-sessions.ts';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';
import { ConfigError } from '../../core/errors.ts';
import type { SessionOptions } from '../../core/options.ts';
import { SessionContext } from '../../core/session-context.ts';
import { EXPIRES_HEADER } from '../../core/session-status.ts';
import type { Session, SessionData } from '../../core/session-types.ts';
import { publicSessions, type Sessions } from '../../core/sessions.ts';
import type { TrustFn } from '../../core/trust-proxy.ts';
import { WebRequestView } from './request-view.ts';

export interface WebSessionOptions extends SessionOptions {
  /**
   * Believe the Request URL's scheme: `https:` means the client connection was TLS. Default false,
   * because many servers build that URL from client-controlled headers. Set it only when the
   * platform that terminates TLS builds the URL.
   */
  trustRequestUrl?: boolean;
}

export interface LoadInfo {
  /** The peer's address (socket remote address), when the server exposes it. */
  remoteAddress?: string;
  /** The connection itself is TLS (you know it from your server). Overrides the URL check. */
  encrypted?: boolean;
  /** The host framework's proxy trust; used when holdfast's `trustProxy` is not set. */
  trust?: TrustFn;
}

export interface WebSession<Data extends object = SessionData> {
  /** The session the handler uses. */
  readonly session: Session<Data>;
  /** Commit the session onto the response you return (once). Rejects with StoreError (503). */
  commit(response: Response): Promise<Response>;
}

export interface WebSessions {
  load<Data extends object = SessionData>(request: Request, info?: LoadInfo): Promise<WebSession<Data>>;
  /** The engine: listSessions, revokeSession, revokeAllSessions, on(event), close. */
  readonly engine: Sessions;
}

export function createWebSessions(options: WebSessionOptions): WebSessions {
  const engine = createDefaultEngine(options, ['trustRequestUrl']);
  const trustRequestUrl = readTrustRequestUrl(options);
  const useInfoTrust = options.trustProxy === undefined;

  return {
    engine: publicSessions(engine),
    async load<Data extends object = SessionData>(request: Request, info: LoadInfo = {}): Promise<WebSession<Data>> {
      const view = new WebRequestView(request, info.remoteAddress, info.encrypted, trustRequestUrl);
      const trust = useInfoTrust ? info.trust : undefined;
      const opened = engine.mayHaveSession(view.header('cookie')) ? engine.open(view, trust) : engine.fresh(view, trust);
      const ctx = opened instanceof SessionContext ? opened : await opened;
      return new CommittableSession<Data>(ctx);
    },
  };
}

/** Validates the web-only option; shared with holdfast/hono. */
export function readTrustRequestUrl(options: { trustRequestUrl?: unknown }): boolean {
  const value = options?.trustRequestUrl ?? false;
  if (typeof value !== 'boolean') throw new ConfigError('trustRequestUrl must be a boolean');
  return value;
}

class CommittableSession<Data extends object> implements WebSession<Data> {
  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  get session(): Session<Data> {
    return this.#ctx.session as Session<Data>;
  }

  async commit(response: Response): Promise<Response> {
    const plan = this.#ctx.beginCommit();
    const setCookie = plan.pending ? await plan.done : plan.setCookie;
    const expires = this.#ctx.expiryHeader();
    const target = expires === undefined ? response : withHeader(response, EXPIRES_HEADER, expires);
    if (setCookie === undefined) return target;
    return applySessionCookie(target, setCookie);
  }
}

/**
 * Append the Set-Cookie (and no-store) to a Response, copying it first when its headers are
 * immutable (`Response.redirect()`, `fetch()` results).
 */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}

export function applySessionCookie(response: Response, setCookie: string): Response {
  let target = response;
  try {
    target.headers.append('set-cookie', setCookie);
  } catch {
    target = new Response(response.body, response);
    target.headers.append('set-cookie', setCookie);
  }
  const headers = target.headers;
  headers.set('cache-control', noStoreCacheControl(headers.get('cache-control') ?? undefined));
  return target;
}

export { createCsrf, type WebCsrf, type WebCsrfCheck, type CsrfOptions } from './csrf.ts';
export { CsrfError } from '../../csrf/errors.ts';
