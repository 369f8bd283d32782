/**
 * holdfast/fastify `csrf`: the CSRF plugin for Fastify 5. Register it after the session plugin
 * (and after @fastify/formbody or another parser, for form tokens):
 *
 * ```ts
 * import sessions, { csrf } from 'holdfast/fastify';
 * await app.register(sessions, { secrets });
 * await app.register(formbody);
 * await app.register(csrf);            // or app.register(csrf, { allowedOrigins: [...] })
 * app.get('/login', (request, reply) => reply.view('login', { csrfToken: request.csrfToken() }));
 * ```
 *
 * - The check runs in a preHandler hook, after Fastify parsed the body: form tokens (`_csrf`)
 *   come from `request.body`. Without a parser for forms Fastify answers 415 before it; send the
 *   `x-csrf-token` header then.
 * - A refused request fails with a CsrfError (statusCode 403, message 'Forbidden') through
 *   Fastify's error handler; `Vary: Origin, Sec-Fetch-Site` is on the reply.
 */
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { contextOf } from '../../csrf/context.ts';
import { CsrfError } from '../../csrf/errors.ts';
import { formField } from '../../csrf/form-field.ts';
import { CsrfGuard, type CsrfCheck } from '../../csrf/guard.ts';
import type { CsrfOptions } from '../../csrf/options.ts';
import { withVary } from '../../csrf/vary.ts';
import { NodeRequestView } from '../node/request-view.ts';

export type { CsrfOptions } from '../../csrf/options.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The CSRF token for forms and the x-csrf-token header (holdfast/fastify csrf). */
    csrfToken(): string;
  }
}

const kCheck = Symbol('holdfast.csrf');
type RequestWithCheck = FastifyRequest & { [kCheck]: { check: CsrfCheck; reply: FastifyReply } | null };

function csrfToken(this: FastifyRequest): string {
  const slot = (this as RequestWithCheck)[kCheck];
  if (slot === null) throw new Error('request.csrfToken() is available once the csrf preHandler has run (in route handlers)');
  const token = slot.check.csrfToken();
  const setCookie = slot.check.takeSetCookie();
  if (setCookie !== undefined && !slot.reply.sent) void slot.reply.header('set-cookie', setCookie);
  return token;
}

const holdfastCsrf: FastifyPluginCallback<CsrfOptions> = (fastify, options, done) => {
  let guard: CsrfGuard;
  try {
    guard = new CsrfGuard(stripFastifyKeys(options));
  } catch (error) {
    done(error as Error);
    return;
  }
  const field = guard.options.fieldName;
  fastify.decorateRequest(kCheck as unknown as string, null);
  fastify.decorateRequest('csrfToken', csrfToken);
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => {
    const view = new NodeRequestView(request.raw);
    const check = guard.begin({
      method: request.method,
      get path() {
        return view.path;
      },
      header: (name) => view.header(name),
      context: () => contextOf(request.session, 'the holdfast/fastify session plugin'),
    });
    (request as RequestWithCheck)[kCheck] = { check, reply };
    let outcome;
    try {
      outcome = check.run(formField(request.body, field));
    } catch (error) {
      next(error as Error);
      return;
    }
    if (outcome.vary) {
      const existing = reply.getHeader('vary');
      void reply.header('vary', withVary(existing === undefined ? undefined : String(existing)));
    }
    next(outcome.ok ? undefined : new CsrfError());
  });
  done();
};

/** Fastify hands plugins its own keys (prefix, logLevel) among the options; they are not ours. */
function stripFastifyKeys(options: CsrfOptions | undefined): CsrfOptions | undefined {
  if (options === undefined || options === null || typeof options !== 'object') return options;
  const { prefix: _p, logLevel: _l, logSerializers: _s, ...rest } = options as CsrfOptions & Record<string, unknown>;
  return rest;
}

/** The plugin: `app.register(csrf, options?)`, after the session plugin. */
export const csrf = fp(holdfastCsrf, { fastify: '5.x', name: 'holdfast-csrf', dependencies: ['holdfast'] });
