/**
 * Commit a session as a node:http response finishes, for frameworks that write straight to
 * `res` (Express, Connect, plain node:http).
 *
 * - The usual path: `res.end()` is called before any header went out. The commit runs first; the
 *   response (with Set-Cookie) is only released once the store acknowledged, so the next request
 *   sees the write. If the store fails, the response the app prepared is dropped and the error
 *   goes to `onError` (Express: `next(err)` → 503).
 * - The streaming path: headers leave early (`writeHead`, `write`). The cookie is decided
 *   synchronously at that moment and the store write starts; `end()` waits for it. A store failure
 *   then can no longer change the status, so the connection is destroyed rather than letting the
 *   client believe a write that did not happen.
 */
import type { ServerResponse } from 'node:http';
import type { CommitPlan, SessionContext } from '../../core/session-context.ts';
import { applyExpiryHeader, applySessionCookie } from './response-headers.ts';

type End = ServerResponse['end'];
type WriteHead = ServerResponse['writeHead'];

export function commitOnEnd(res: ServerResponse, ctx: SessionContext, onError: (error: unknown) => void): void {
  const end = res.end as (...args: unknown[]) => ServerResponse;
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  let plan: CommitPlan | undefined;

  const restore = (): void => {
    res.end = end as End;
    res.writeHead = writeHead as WriteHead;
  };

  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (plan === undefined) {
      plan = ctx.beginCommit();
      // end() may come much later (or never, if the client goes away): observe a failure now so it
      // is never an unhandled rejection; end() still sees it through plan.done.
      if (plan.pending) plan.done.catch(() => undefined);
      const setCookie = plan.setCookie;
      if (setCookie !== undefined && !res.headersSent) {
        args = foldHeaders(res, args);
        applySessionCookie(res, setCookie);
      }
      applyExpiryHeader(res, ctx);
    }
    return writeHead.apply(this, args);
  } as WriteHead;

  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (plan !== undefined) {
      // Headers were planned at writeHead time (streaming); wait for the write before finishing.
      if (!plan.pending) return end.apply(this, args);
      plan.done.then(
        () => end.apply(res, args),
        (error: unknown) => {
          restore();
          res.destroy(error instanceof Error ? error : undefined);
          onError(error);
        },
      );
      return res;
    }
    try {
      plan = ctx.beginCommit();
    } catch (error) {
      restore();
      onError(error);
      return res;
    }
    if (!plan.pending) {
      applySessionCookie(res, plan.setCookie);
      applyExpiryHeader(res, ctx);
      return end.apply(this, args);
    }
    plan.done.then(
      (setCookie) => {
        applySessionCookie(res, setCookie);
        applyExpiryHeader(res, ctx);
        end.apply(res, args);
      },
      (error: unknown) => {
        restore();
        onError(error);
      },
    );
    return res;
  } as End;
}

/**
 * Move the headers argument of `writeHead(status[, message][, headers])` onto the response the way
 * Node merges it (object: setHeader per name; array: remove each name, then append every pair),
 * and return the arguments without it. Node lets those headers replace what setHeader put there,
 * so without this an app's `writeHead(200, { 'Cache-Control': 'public' })` or `{ 'Set-Cookie': … }`
 * would strip Cache-Control: no-store or the session cookie itself.
 */
function foldHeaders(res: ServerResponse, args: unknown[]): unknown[] {
  const at = typeof args[1] === 'string' ? 2 : 1;
  const headers = args[at];
  if (headers === null || typeof headers !== 'object') return args;
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) return args; // malformed: Node throws its own error
    for (let n = 0; n < headers.length; n += 2) res.removeHeader(String(headers[n]));
    for (let n = 0; n < headers.length; n += 2) {
      if (headers[n]) res.appendHeader(String(headers[n]), headers[n + 1] as string | string[]);
    }
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (name) res.setHeader(name, value as string | number | readonly string[]);
    }
  }
  return args.slice(0, at);
}
