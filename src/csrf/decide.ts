/**
 * The CSRF decision, framework-agnostic and pure: a request view in, `{ ok: true }` or
 * `{ ok: false, reason }` out.
 *
 * 1. Safe methods (GET, HEAD, OPTIONS) pass; nothing else is read.
 * 2. An `Origin` listed in `allowedOrigins` passes.
 * 3. `Sec-Fetch-Site` (set by the browser, not by page scripts): `same-origin` and `none` (the
 *    user typed the URL or used a bookmark) pass; `same-site` passes only with `allowSameSite`;
 *    `cross-site` and anything unknown are refused.
 * 4. Otherwise `Origin`: `null` is refused; the request's own origin (Host header and the
 *    transport's secure flag) passes; any other origin is refused.
 * 5. Neither header (old browsers, some privacy tools, non-browser clients): a request that
 *    carries no credentials of ours (no session cookie, no pre-session cookie) passes, there is
 *    nothing to forge; one that does must carry a token bound to its session (or pre-session).
 */
import type { CsrfReason } from '../core/events.ts';
import { ownOrigin } from './origins.ts';

export type { CsrfReason } from '../core/events.ts';

/** What the decision reads. Adapters implement the costly members as getters, read only when needed. */
export interface CsrfRequest {
  method: string | undefined;
  /** Header by lower-case name. */
  header(name: string): string | undefined;
  /** The connection is secure by the engine's transport rules (trusted proxies included). */
  readonly secure: boolean;
  /** The request carries the session cookie or a pre-session cookie. */
  readonly hasCredentials: boolean;
  /** The submitted token (header or form field), if any. */
  readonly token: string | undefined;
  /** Whether `token` is bound to this request's session, its previous ID (in grace) or its pre-session. */
  tokenMatches(token: string): boolean;
}

export interface CsrfPolicy {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowSameSite: boolean;
}

export type CsrfDecision = { ok: true } | { ok: false; reason: CsrfReason };

const OK: CsrfDecision = Object.freeze({ ok: true });
const REFUSED: Readonly<Record<CsrfReason, CsrfDecision>> = Object.freeze({
  'cross-site': Object.freeze({ ok: false, reason: 'cross-site' }),
  'same-site': Object.freeze({ ok: false, reason: 'same-site' }),
  'bad-fetch-site': Object.freeze({ ok: false, reason: 'bad-fetch-site' }),
  'origin-null': Object.freeze({ ok: false, reason: 'origin-null' }),
  'origin-mismatch': Object.freeze({ ok: false, reason: 'origin-mismatch' }),
  'token-missing': Object.freeze({ ok: false, reason: 'token-missing' }),
  'token-invalid': Object.freeze({ ok: false, reason: 'token-invalid' }),
});

/** Methods that must not change state, so are never checked. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

export function decideCsrf(request: CsrfRequest, policy: CsrfPolicy): CsrfDecision {
  if (isSafeMethod(request.method)) return OK;
  const origin = request.header('origin');
  if (origin !== undefined && policy.allowedOrigins.has(origin)) return OK;

  const site = request.header('sec-fetch-site');
  if (site !== undefined) {
    switch (site) {
      case 'same-origin':
      case 'none':
        return OK;
      case 'same-site':
        return policy.allowSameSite ? OK : (REFUSED['same-site'] as CsrfDecision);
      case 'cross-site':
        return REFUSED['cross-site'] as CsrfDecision;
      default:
        return REFUSED['bad-fetch-site'] as CsrfDecision;
    }
  }

  if (origin !== undefined) {
    if (origin === 'null') return REFUSED['origin-null'] as CsrfDecision;
    return origin === ownOrigin(request.header('host'), request.secure) ? OK : (REFUSED['origin-mismatch'] as CsrfDecision);
  }

  if (!request.hasCredentials) return OK;
  const token = request.token;
  if (token === undefined || token === '') return REFUSED['token-missing'] as CsrfDecision;
  return request.tokenMatches(token) ? OK : (REFUSED['token-invalid'] as CsrfDecision);
}
