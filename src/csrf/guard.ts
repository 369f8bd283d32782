/**
 * `CsrfGuard`: the framework-agnostic protection the thin adapters wrap. Built once from the
 * options; `begin(input)` makes the per-request check, which reads the session lazily (a request
 * decided by its headers never computes a MAC or reads a cookie).
 */
import type { RequestView } from '../core/engine-core.ts';
import type { SessionContext } from '../core/session-context.ts';
import { decideCsrf, isSafeMethod, type CsrfRequest } from './decide.ts';
import { resolveCsrfOptions, type CsrfOptions, type ResolvedCsrfOptions } from './options.ts';
import { hasPreSessionCookie, issuePreSession, readPreSession, type PreSession } from './pre-session.ts';
import { readCookie } from '../core/read-cookie.ts';
import { previousKeyOf, recordRotation } from './rotation.ts';
import { csrfMacOf, preSessionBinding, sessionBinding, tokenFor, tokenMatchesAny } from './tokens.ts';

/** What an adapter tells the guard about one request. */
export interface CsrfInput extends Pick<RequestView, 'method' | 'path' | 'header'> {
  /** The request's session context (throws a ConfigError when the session middleware is missing). */
  context(): SessionContext;
}

export interface CsrfOutcome {
  /** Let the request through (always true in report-only mode). */
  ok: boolean;
  /** The decision read Origin / Sec-Fetch-Site: add `Vary: Origin, Sec-Fetch-Site` (see withVary). */
  vary: boolean;
}

const SAFE: CsrfOutcome = Object.freeze({ ok: true, vary: false });
const PASSED: CsrfOutcome = Object.freeze({ ok: true, vary: true });
const REFUSED: CsrfOutcome = Object.freeze({ ok: false, vary: true });

export class CsrfGuard {
  readonly options: ResolvedCsrfOptions;

  constructor(options?: CsrfOptions) {
    this.options = resolveCsrfOptions(options);
  }

  begin(input: CsrfInput): CsrfCheck {
    return new CsrfCheck(this.options, input);
  }
}

/** One request's check and token. Implements the decision's request view with lazy getters. */
export class CsrfCheck implements CsrfRequest {
  readonly #options: ResolvedCsrfOptions;
  readonly #input: CsrfInput;
  #ctx: SessionContext | undefined;
  #pre: PreSession | undefined;
  #formToken: string | undefined;
  #setCookie: string | undefined;

  constructor(options: ResolvedCsrfOptions, input: CsrfInput) {
    this.#options = options;
    this.#input = input;
  }

  get method(): string | undefined {
    return this.#input.method;
  }

  header(name: string): string | undefined {
    return this.#input.header(name);
  }

  get secure(): boolean {
    return this.#context().transport.secure;
  }

  get hasCredentials(): boolean {
    const cookie = this.header('cookie');
    if (cookie === undefined) return false;
    const ctx = this.#context();
    const secure = ctx.transport.secure;
    return readCookie(cookie, ctx.engine.cookie.nameFor(secure)) !== undefined || hasPreSessionCookie(cookie, secure);
  }

  get token(): string | undefined {
    return this.header(this.#options.headerName) ?? this.#formToken;
  }

  tokenMatches(token: string): boolean {
    const ctx = this.#context();
    const engine = ctx.engine;
    const now = engine.clock();
    const bindings: string[] = [];
    if (!ctx.isNew) bindings.push(sessionBinding(ctx.key));
    const previous = previousKeyOf(ctx, now, this.#options.rotationGraceMs);
    if (previous !== undefined) bindings.push(sessionBinding(previous));
    const mac = csrfMacOf(engine);
    const pre = readPreSession(mac, this.header('cookie'), ctx.transport.secure, now);
    if (pre !== undefined) bindings.push(preSessionBinding(pre.nonce));
    return tokenMatchesAny(mac, token, bindings);
  }

  /**
   * Whether the decision would read a form field: an unsafe request with neither Sec-Fetch-Site
   * nor Origin, carrying our cookies, without the token header. Lets adapters that must parse a
   * body themselves (Hono, Web) do so only then.
   */
  wantsFormToken(): boolean {
    if (isSafeMethod(this.method) || this.header('sec-fetch-site') !== undefined || this.header('origin') !== undefined) return false;
    return this.header(this.#options.headerName) === undefined && this.hasCredentials;
  }

  /** Decide; on refusal emit `csrf-refused`. `formToken`: the parsed body's field, if any. */
  run(formToken?: string): CsrfOutcome {
    if (isSafeMethod(this.method)) return SAFE;
    this.#formToken = typeof formToken === 'string' ? formToken : undefined;
    const decision = decideCsrf(this, this.#options);
    // A login / regenerate in this request keeps the token it replaces valid for the grace period.
    const ctx = this.#context();
    ctx.onRotate = recordRotation;
    if (decision.ok) return PASSED;
    const engine = ctx.engine;
    const reportOnly = this.#options.reportOnly;
    if (engine.events.wants('csrf-refused')) {
      engine.events.emit('csrf-refused', {
        time: engine.clock(),
        ip: ctx.transport.clientIp,
        method: this.method,
        path: this.#input.path,
        userId: ctx.meta.userId,
        handle: ctx.isNew ? undefined : ctx.handle,
        reason: decision.reason,
        reportOnly,
      });
    }
    return reportOnly ? PASSED : REFUSED;
  }

  /**
   * The token to render into forms (or send in `x-csrf-token`): bound to the session when there
   * is one (or one is being created: a user signed in or data set before this call), else to a
   * pre-session cookie, which is then due on the response (see takeSetCookie). Same value for
   * the whole request.
   */
  csrfToken(): string {
    const ctx = this.#context();
    ctx.onRotate = recordRotation;
    const engine = ctx.engine;
    const mac = csrfMacOf(engine);
    // A session that exists, or that this response is about to store (a user signed in, data
    // put in it before the form is rendered), binds the token; only a bare visitor gets a pre-session.
    if (!ctx.isNew || ctx.meta.userId !== null || Object.keys(ctx.snapshot()).length > 0) return tokenFor(mac, sessionBinding(ctx.key));
    if (this.#pre === undefined) {
      const secure = ctx.transport.secure;
      const now = engine.clock();
      const maxAge = this.#options.preSessionMaxAgeMs;
      const current = readPreSession(mac, this.header('cookie'), secure, now);
      if (current !== undefined && current.expiresAt - now > maxAge / 2) {
        this.#pre = current;
      } else {
        const issued = issuePreSession(mac, secure, now, maxAge);
        this.#pre = issued;
        if (engine.cookie.canSend(secure)) this.#setCookie = issued.setCookie;
      }
    }
    return tokenFor(mac, preSessionBinding(this.#pre.nonce));
  }

  /** A pre-session Set-Cookie the response owes, once (undefined when none or already taken). */
  takeSetCookie(): string | undefined {
    const value = this.#setCookie;
    this.#setCookie = undefined;
    return value;
  }

  #context(): SessionContext {
    return (this.#ctx ??= this.#input.context());
  }
}
