/**
 * The contract between the shared CSRF HTTP suite (./suite.ts) and one adapter's test app. Every
 * adapter (Express 5, Express 4, node:http-style Connect, Fastify, Koa, Hono, Web) mounts
 * holdfast's session middleware, a form-body parser where the framework needs one, then the
 * adapter's csrf middleware with `csrfOptions`, and serves:
 *
 *   GET  /form           → 200, body: the CSRF token for templates (req.csrfToken(), ...)
 *   GET  /set            session.x = '1'                               → 200 'ok'
 *   ALL  /action         any method → 200 'ok' (reached only when csrf let the request through)
 *   POST /login?user=u   await session.login(u)                        → 200, body: the new token
 *
 * POST bodies may be `application/x-www-form-urlencoded` with the token in `_csrf`.
 * Errors (a CsrfError, status 403) go through the framework's error path; the fixture answers
 * `error.status ?? error.statusCode ?? 500` with the body 'error'. Listen on 127.0.0.1, port 0.
 */
import type { Sessions } from '../../../src/core/sessions.ts';

export interface CsrfFixtureStart {
  sessionOptions: Record<string, unknown>;
  csrfOptions: Record<string, unknown>;
}

export interface RunningCsrfApp {
  port: number;
  engine: Sessions;
  close(): Promise<void>;
}

export interface CsrfFixture {
  name: string;
  start(options: CsrfFixtureStart): Promise<RunningCsrfApp>;
}

/** Read an urlencoded body (for frameworks without a parser of their own in devDependencies). */
export async function readForm(stream: AsyncIterable<Buffer | string>): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return Object.fromEntries(new URLSearchParams(text));
}
