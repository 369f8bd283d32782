/**
 * holdfast/hono `csrf(options?)`: CSRF protection for Hono 4. Mount it after `session()`:
 *
 * ```ts
 * import { session, csrf, type SessionVariables, type CsrfVariables } from 'holdfast/hono';
 * const app = new Hono<{ Variables: SessionVariables & CsrfVariables }>();
 * app.use(session({ secrets }));
 * app.use(csrf());
 * app.get('/login', (c) => c.html(loginPage(c.get('csrfToken')())));
 * ```
 *
 * - `c.get('csrfToken')` is a function returning the token (computed only when called).
 * - Form tokens (`_csrf`): when a form post carries neither Fetch Metadata nor Origin nor the
 *   `x-csrf-token` header, the middleware reads the form with `c.req.parseBody()`, which Hono
 *   caches, so the handler can call `c.req.parseBody()` again. Other bodies are never read.
 * - A refused request throws a CsrfError (status 403) into `app.onError`; without one, Hono
 *   answers 403 'Forbidden'. `Vary: Origin, Sec-Fetch-Site` is set on the context first.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { contextOf } from '../../csrf/context.ts';
import { CsrfError } from '../../csrf/errors.ts';
import { isFormContent } from '../../csrf/form-content.ts';
import { formField } from '../../csrf/form-field.ts';
import { CsrfGuard } from '../../csrf/guard.ts';
import type { CsrfOptions } from '../../csrf/options.ts';
import { VARY_VALUE, withVary } from '../../csrf/vary.ts';

export type { CsrfOptions } from '../../csrf/options.ts';

/** Hono context variables set by csrf(): `c.get('csrfToken')()` is the token. */
export type CsrfVariables = { csrfToken: () => string };

export function csrf(options?: CsrfOptions): MiddlewareHandler<{ Variables: CsrfVariables }> {
  const guard = new CsrfGuard(options);
  const field = guard.options.fieldName;

  return async function holdfastCsrf(c: Context<{ Variables: CsrfVariables }>, next: Next): Promise<void> {
    const check = guard.begin({
      method: c.req.method,
      get path() {
        return c.req.path;
      },
      header: (name) => c.req.header(name),
      context: () => contextOf((c as unknown as Context<{ Variables: { session: unknown } }>).get('session'), 'session() from holdfast/hono'),
    });
    let pending: string[] | undefined;
    c.set('csrfToken', () => {
      const token = check.csrfToken();
      const setCookie = check.takeSetCookie();
      if (setCookie !== undefined) (pending ??= []).push(setCookie);
      return token;
    });
    let form: string | undefined;
    if (check.wantsFormToken() && isFormContent(c.req.header('content-type'))) {
      try {
        form = formField(await c.req.parseBody(), field);
      } catch {
        form = undefined; // a malformed body has no token
      }
    }
    const outcome = check.run(form);
    if (outcome.vary) c.header('Vary', withVary(c.res.headers.get('vary') ?? undefined));
    if (!outcome.ok) throw refusal();
    await next();
    // Again on the final response: a handler that returned its own Response dropped headers set before.
    if (outcome.vary) c.header('Vary', withVary(c.res.headers.get('vary') ?? undefined));
    if (pending !== undefined) for (const value of pending) c.header('Set-Cookie', value, { append: true });
  };
}

/** A CsrfError with the `getResponse()` Hono's default error handler answers with (403, not 500). */
function refusal(): CsrfError {
  const error = new CsrfError();
  Object.defineProperty(error, 'getResponse', {
    value: () => new Response('Forbidden', { status: 403, headers: { 'content-type': 'text/plain; charset=UTF-8', vary: VARY_VALUE } }),
  });
  return error;
}
