/** `holdfast doctor`: the session cookie's attributes, read from one Set-Cookie line. */
import { finding, type Finding } from './doctor-findings.ts';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to ''. */
  attributes: Map<string, string>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i === -1 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key !== '') attributes.set(key, i === -1 ? '' : part.slice(i + 1).trim());
  }
  return { name: (eq === -1 ? pair : pair.slice(0, eq)).trim(), value: eq === -1 ? '' : pair.slice(eq + 1).trim(), attributes };
}

/** Names holdfast uses by default (`__Host-sid`, `sid` in development). */
const DEFAULT_NAMES = ['__Host-sid', 'sid'];

/** The session cookie among a response's Set-Cookie lines: `name` if given, else holdfast's default names. */
export function pickSessionCookie(lines: readonly string[], name?: string): SetCookie | undefined {
  const cookies = lines.map(parseSetCookie);
  return name !== undefined ? cookies.find((c) => c.name === name) : cookies.find((c) => DEFAULT_NAMES.includes(c.name));
}

const YEAR_S = 365 * 24 * 3600;

const TRUST_PROXY_FIX =
  'the app believes the request was plain http. Behind a TLS-terminating proxy set holdfast\'s trustProxy to the proxy (e.g. trustProxy: 1 for one nginx, or its address), ' +
  'and make the proxy send X-Forwarded-Proto: https (Azure sends X-ARR-SSL, which holdfast also understands)';

/** Checks one session cookie set over `https` (or not). */
export function checkCookie(cookie: SetCookie, https: boolean): Finding[] {
  const a = cookie.attributes;
  const out: Finding[] = [];
  const name = cookie.name;
  if (!a.has('secure')) {
    out.push(https
      ? finding('cookie.secure', 'fail', `${name} arrived over https without Secure`, TRUST_PROXY_FIX)
      : finding('cookie.secure', 'fail', `${name} has no Secure attribute (the site is served over plain http)`, 'serve the site over https only; holdfast then sets Secure'));
  } else out.push(finding('cookie.secure', 'pass', `${name} is Secure`));
  out.push(a.has('httponly')
    ? finding('cookie.httponly', 'pass', `${name} is HttpOnly`)
    : finding('cookie.httponly', 'fail', `${name} is readable by page scripts (no HttpOnly)`, 'set HttpOnly; holdfast always does, so another middleware may be setting this cookie'));
  const sameSite = a.get('samesite')?.toLowerCase();
  if (sameSite === undefined) out.push(finding('cookie.samesite', 'warn', `${name} has no SameSite (browsers differ in the default)`, 'set cookie.sameSite to "lax" (holdfast\'s default) or "strict"'));
  else if (sameSite === 'none') out.push(finding('cookie.samesite', a.has('secure') ? 'warn' : 'fail', `${name} is SameSite=None: sent on cross-site requests`, 'use SameSite=Lax unless the app must run in a cross-site iframe, and then protect every state change with holdfast/csrf'));
  else if (sameSite === 'lax' || sameSite === 'strict') out.push(finding('cookie.samesite', 'pass', `${name} is SameSite=${a.get('samesite')}`));
  else out.push(finding('cookie.samesite', 'warn', `${name} has an unknown SameSite value "${a.get('samesite')}"`, 'use Lax or Strict'));
  out.push(name.startsWith('__Host-')
    ? finding('cookie.prefix', 'pass', `${name} uses the __Host- prefix`)
    : finding('cookie.prefix', 'warn', `${name} has no __Host- prefix, so a subdomain or a plain-http page can overwrite it`, 'keep holdfast\'s default name __Host-sid (needs Secure, Path=/ and no Domain)'));
  out.push(a.has('domain')
    ? finding('cookie.domain', 'warn', `${name} has Domain=${a.get('domain')}: every subdomain receives it`, 'leave cookie.domain unset unless subdomains must share the session')
    : finding('cookie.domain', 'pass', `${name} has no Domain (this host only)`));
  const path = a.get('path');
  out.push(path === '/'
    ? finding('cookie.path', 'pass', `${name} has Path=/`)
    : finding('cookie.path', 'warn', `${name} has ${path === undefined ? 'no Path' : `Path=${path}`}`, 'use Path=/ (other paths do not isolate anything and break __Host-)'));
  const maxAge = a.has('max-age') ? Number(a.get('max-age')) : undefined;
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge > YEAR_S)) {
    out.push(finding('cookie.max-age', 'warn', `${name} lives ${a.get('max-age')} s (over a year)`, 'keep the cookie no longer than the absolute timeout (holdfast sets Max-Age from it)'));
  } else if (maxAge === undefined && a.has('expires')) {
    out.push(finding('cookie.max-age', 'pass', `${name} expires ${a.get('expires')}`));
  } else {
    out.push(finding('cookie.max-age', 'pass', maxAge === undefined ? `${name} is a browser-session cookie` : `${name} has Max-Age=${maxAge}`));
  }
  return out;
}
