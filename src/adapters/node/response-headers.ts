/** Putting a commit's Set-Cookie (and the Cache-Control that must come with it) on a node:http response. */
import type { ServerResponse } from 'node:http';
import { noStoreCacheControl } from '../../core/cookie-policy.ts';

export function applySessionCookie(res: ServerResponse, setCookie: string | undefined): void {
  if (setCookie === undefined || res.headersSent) return;
  res.appendHeader('Set-Cookie', setCookie);
  const existing = res.getHeader('Cache-Control');
  res.setHeader('Cache-Control', noStoreCacheControl(existing === undefined ? undefined : String(existing)));
}
