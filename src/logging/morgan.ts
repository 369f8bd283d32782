/**
 * morgan tokens, typed by morgan's public token API (`morgan.token(name, fn)`) so holdfast needs
 * no import of morgan:
 *
 * ```ts
 * import morgan from 'morgan';
 * import { registerMorganTokens } from 'holdfast/logging';
 * registerMorganTokens(morgan);
 * app.use(morgan(':method :url :status :session'));   // ":session" is the handle, or "-"
 * ```
 *
 * By default it also replaces morgan's `:req[header]` and `:res[header]` tokens with versions that
 * print `[Redacted]` for Cookie, Authorization, Set-Cookie, CSRF and refresh-token headers, so a
 * format like `:req[cookie]` cannot write a session ID to the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CENSOR, SENSITIVE_HEADERS } from './redact.ts';
import { sessionHandleOf } from './session-fields.ts';

/** What morgan calls a token function with (its own types use Express's req/res). */
export type MorganTokenFn = (req: IncomingMessage, res: ServerResponse, arg?: string) => string | undefined;

/** The part of morgan this module uses: `morgan.token(name, fn)`. */
export interface MorganTokenRegistry {
  token(name: string, fn: MorganTokenFn): unknown;
}

export interface MorganTokenOptions {
  /** Name of the session token (default `session`, used as `:session`). */
  name?: string;
  /** Replace `:req[...]` / `:res[...]` with versions that redact credential headers. Default true. */
  guardHeaders?: boolean;
}

const SENSITIVE = new Set(SENSITIVE_HEADERS);

function joined(value: string | number | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** `:session`: the request's session handle, or undefined (morgan prints "-"). */
export const sessionToken: MorganTokenFn = (req) => sessionHandleOf(req);

/** morgan's `:req[name]` with credential headers redacted. */
export const guardedRequestHeader: MorganTokenFn = (req, _res, field) => {
  if (field === undefined) return undefined;
  const name = field.toLowerCase();
  const value = joined(req.headers[name]);
  return value !== undefined && SENSITIVE.has(name) ? CENSOR : value;
};

/** morgan's `:res[name]` with credential headers redacted (undefined until headers are sent, like morgan). */
export const guardedResponseHeader: MorganTokenFn = (_req, res, field) => {
  if (field === undefined || !res.headersSent) return undefined;
  const name = field.toLowerCase();
  const value = joined(res.getHeader(name));
  return value !== undefined && SENSITIVE.has(name) ? CENSOR : value;
};

/** Registers `:session` (and by default the guarded `:req[...]` / `:res[...]`) on morgan. */
export function registerMorganTokens<M extends MorganTokenRegistry>(morgan: M, options: MorganTokenOptions = {}): M {
  if (morgan === null || (typeof morgan !== 'function' && typeof morgan !== 'object') || typeof morgan.token !== 'function') {
    throw new TypeError('registerMorganTokens needs morgan itself (something with a token(name, fn) method)');
  }
  const name = options.name ?? 'session';
  if (!/^[-\w]{2,}$/.test(name)) throw new TypeError(`morgan token name "${name}" must be 2+ letters, digits, "_" or "-"`);
  morgan.token(name, sessionToken);
  if (options.guardHeaders !== false) {
    morgan.token('req', guardedRequestHeader);
    morgan.token('res', guardedResponseHeader);
  }
  return morgan;
}
