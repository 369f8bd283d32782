/** Putting a commit's Set-Cookie (and the Cache-Control that must come with it) on a node:http response. */
import type { ServerResponse } from 'node:http';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';
import type { SessionContext } from '../../core/session-context.ts';
import { EXPIRES_HEADER } from '../../core/session-status.ts';

export function applySessionCookie(res: ServerResponse, setCookie: string | undefined): void {
  if (setCookie === undefined || res.headersSent) return;
  res.appendHeader('Set-Cookie', setCookie);
  const existing = res.getHeader('Cache-Control');
  res.setHeader('Cache-Control', noStoreCacheControl(existing === undefined ? undefined : String(existing)));
}

/** Holdfast-Session-Expires, when the expiryHeader option is on (see SessionContext.expiryHeader). */
export function applyExpiryHeader(res: ServerResponse, ctx: SessionContext): void {
  const value = ctx.expiryHeader();
  if (value !== undefined && !res.headersSent) res.setHeader(EXPIRES_HEADER, value);
}
