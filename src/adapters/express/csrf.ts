/**
 * holdfast/express `csrf(options?)`: CSRF protection for Express 5 and 4, Connect and node:http.
 * Mount it after `session()` (and after a body parser, for form tokens):
 *
 * ```ts
 * import { session, csrf } from 'holdfast/express';
 * app.use(session({ secrets }));
 * app.use(express.urlencoded({ extended: false }));
 * app.use(csrf());
 * app.get('/login', (req, res) => res.render('login', { csrfToken: req.csrfToken() }));
 * ```
 *
 * - Form tokens (`_csrf`) are read from `req.body` only when a body parser has already parsed it;
 *   the request stream is never read here. Otherwise send the `x-csrf-token` header.
 * - A refused request goes to `next(err)` with a CsrfError (status 403, message 'Forbidden',
 *   `err.headers` carries `Vary`), and the engine emits `csrf-refused` with the reason.
 * - `req.csrfToken()` returns the token for templates; before any session exists it sets a short-
 *   lived pre-session cookie on the response (call it before the response is sent).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextOf } from '../../csrf/context.ts';
import { CsrfError } from '../../csrf/errors.ts';
import { CsrfGuard, type CsrfCheck } from '../../csrf/guard.ts';
import { formField } from '../../csrf/form-field.ts';
import type { CsrfOptions } from '../../csrf/options.ts';
import { withVary } from '../../csrf/vary.ts';
import { NodeRequestView } from '../node/request-view.ts';
import type { Next } from './index.ts';

export type { CsrfOptions } from '../../csrf/options.ts';

/** A request after csrf() ran. */
export interface RequestWithCsrf extends IncomingMessage {
  /** The CSRF token for forms and the x-csrf-token header. */
  csrfToken(): string;
}

export type CsrfMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

type CsrfRequestBits = IncomingMessage & { session?: unknown; body?: unknown; originalUrl?: string; csrfToken?: () => string };

export function csrf(options?: CsrfOptions): CsrfMiddleware {
  const guard = new CsrfGuard(options);
  const field = guard.options.fieldName;

  return function holdfastCsrf(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const r = req as CsrfRequestBits;
    const view = new NodeRequestView(req, r.originalUrl);
    const check = guard.begin({
      method: req.method,
      get path() {
        return view.path;
      },
      header: (name) => view.header(name),
      context: () => contextOf(r.session, 'session() from holdfast/express'),
    });
    r.csrfToken = () => tokenOn(res, check);
    let outcome;
    try {
      outcome = check.run(formField(r.body, field));
    } catch (error) {
      next(error);
      return;
    }
    if (outcome.vary && !res.headersSent) res.setHeader('Vary', withVary(headerText(res.getHeader('Vary'))));
    next(outcome.ok ? undefined : new CsrfError());
  };
}

function tokenOn(res: ServerResponse, check: CsrfCheck): string {
  const token = check.csrfToken();
  const setCookie = check.takeSetCookie();
  if (setCookie !== undefined && !res.headersSent) res.appendHeader('Set-Cookie', setCookie);
  return token;
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}
