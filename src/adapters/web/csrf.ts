/**
 * holdfast/web `createCsrf(options?)`: CSRF protection for fetch-style handlers.
 *
 * ```ts
 * import { createWebSessions, createCsrf } from 'holdfast/web';
 * const sessions = createWebSessions({ secrets });
 * const csrf = createCsrf();
 *
 * export async function POST(request: Request) {
 *   const web = await sessions.load(request);
 *   const check = await csrf.protect(request, web.session);
 *   if (check.refused) return web.commit(check.refused);        // 403 'Forbidden'
 *   ...
 *   return web.commit(check.apply(render({ csrfToken: check.token() })));
 * }
 * ```
 *
 * - Form tokens (`_csrf`): when a form post carries neither Fetch Metadata nor Origin nor the
 *   `x-csrf-token` header, `protect` reads the form from `request.clone()`, so the handler can
 *   still read `request.formData()`. Other bodies are never read.
 * - `apply(response)` adds `Vary: Origin, Sec-Fetch-Site` (unsafe methods) and the pre-session
 *   cookie `token()` may have set; call it once on the response you return.
 * - A refusal emits `csrf-refused` on the engine (`sessions.engine.on('csrf-refused', ...)`).
 */
import { contextOf } from '../../csrf/context.ts';
import { isFormContent } from '../../csrf/form-content.ts';
import { CsrfGuard, type CsrfCheck } from '../../csrf/guard.ts';
import type { CsrfOptions } from '../../csrf/options.ts';
import { VARY_VALUE, withVary } from '../../csrf/vary.ts';
import { pathOf } from './request-view.ts';

export type { CsrfOptions } from '../../csrf/options.ts';

export interface WebCsrfCheck {
  /** A 403 to return when the request is refused; undefined when it may proceed. */
  readonly refused: Response | undefined;
  /** The token for forms and the x-csrf-token header. */
  token(): string;
  /** The response with Vary and any pre-session cookie added (copied if its headers are immutable). */
  apply(response: Response): Response;
}

export interface WebCsrf {
  protect(request: Request, session: unknown): Promise<WebCsrfCheck>;
}

export function createCsrf(options?: CsrfOptions): WebCsrf {
  const guard = new CsrfGuard(options);
  const field = guard.options.fieldName;
  return {
    async protect(request, session) {
      const check = guard.begin({
        method: request.method,
        get path() {
          return pathOf(request.url);
        },
        header: (name) => request.headers.get(name) ?? undefined,
        context: () => contextOf(session, 'createWebSessions().load() from holdfast/web'),
      });
      let form: string | undefined;
      if (check.wantsFormToken() && isFormContent(request.headers.get('content-type') ?? undefined)) {
        try {
          const value = (await request.clone().formData()).get(field);
          form = typeof value === 'string' ? value : undefined;
        } catch {
          form = undefined; // a malformed body has no token
        }
      }
      const outcome = check.run(form);
      const refused = outcome.ok
        ? undefined
        : new Response('Forbidden', { status: 403, headers: { 'content-type': 'text/plain; charset=UTF-8', vary: VARY_VALUE } });
      return new Check(check, refused, outcome.vary);
    },
  };
}

class Check implements WebCsrfCheck {
  readonly refused: Response | undefined;
  readonly #check: CsrfCheck;
  readonly #vary: boolean;
  readonly #cookies: string[] = [];

  constructor(check: CsrfCheck, refused: Response | undefined, vary: boolean) {
    this.#check = check;
    this.refused = refused;
    this.#vary = vary;
  }

  token(): string {
    const token = this.#check.csrfToken();
    const setCookie = this.#check.takeSetCookie();
    if (setCookie !== undefined) this.#cookies.push(setCookie);
    return token;
  }

  apply(response: Response): Response {
    if (!this.#vary && this.#cookies.length === 0) return response;
    let target = response;
    try {
      this.#write(target.headers);
    } catch {
      target = new Response(response.body, response);
      this.#write(target.headers);
    }
    return target;
  }

  #write(headers: Headers): void {
    if (this.#vary) headers.set('vary', withVary(headers.get('vary') ?? undefined));
    for (const cookie of this.#cookies) headers.append('set-cookie', cookie);
  }
}
