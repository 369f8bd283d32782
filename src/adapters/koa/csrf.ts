/**
 * holdfast/koa `csrf(options?)`: CSRF protection for Koa 3. Mount it after `session()` (and after
 * a body parser such as @koa/bodyparser, for form tokens):
 *
 * ```ts
 * import { session, csrf } from 'holdfast/koa';
 * app.use(session({ secrets }));
 * app.use(bodyParser());
 * app.use(csrf());
 * router.get('/login', (ctx) => { ctx.body = render({ csrfToken: ctx.csrfToken() }); });
 * ```
 *
 * - Form tokens (`_csrf`) are read from `ctx.request.body` only when a body parser already set
 *   it; the request stream is never read here. Otherwise send the `x-csrf-token` header.
 * - A refused request throws a CsrfError (status 403, `expose`, message 'Forbidden', `headers`
 *   with Vary): Koa answers 403 'Forbidden', or your error middleware does.
 */
import type { Context, Middleware, Next } from 'koa';
import { contextOf } from '../../csrf/context.ts';
import { CsrfError } from '../../csrf/errors.ts';
import { formField } from '../../csrf/form-field.ts';
import { CsrfGuard } from '../../csrf/guard.ts';
import type { CsrfOptions } from '../../csrf/options.ts';
import { withVary } from '../../csrf/vary.ts';
import { NodeRequestView } from '../node/request-view.ts';

export type { CsrfOptions } from '../../csrf/options.ts';

declare module 'koa' {
  interface ExtendableContext {
    /** The CSRF token for forms and the x-csrf-token header (holdfast/koa csrf()). */
    csrfToken(): string;
  }
}

export function csrf(options?: CsrfOptions): Middleware {
  const guard = new CsrfGuard(options);
  const field = guard.options.fieldName;

  return async function holdfastCsrf(ctx: Context, next: Next): Promise<void> {
    const view = new NodeRequestView(ctx.req, ctx.originalUrl);
    const check = guard.begin({
      method: ctx.method,
      get path() {
        return view.path;
      },
      header: (name) => view.header(name),
      context: () => contextOf(ctx.session, 'session() from holdfast/koa'),
    });
    ctx.csrfToken = () => {
      const token = check.csrfToken();
      const setCookie = check.takeSetCookie();
      if (setCookie !== undefined && !ctx.headerSent) ctx.append('Set-Cookie', setCookie);
      return token;
    };
    const outcome = check.run(formField((ctx.request as { body?: unknown }).body, field));
    if (outcome.vary) ctx.set('Vary', withVary(ctx.response.get('Vary') || undefined));
    if (!outcome.ok) throw new CsrfError();
    await next();
  };
}
