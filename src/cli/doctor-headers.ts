/** `holdfast doctor`: response headers around the session cookie (Cache-Control, HSTS). */
import type { IncomingHttpHeaders } from 'node:http';
import { finding, type Finding } from './doctor-findings.ts';

const YEAR_S = 365 * 24 * 3600;

/** A response that sets the session cookie must not be stored by a shared cache. */
export function checkCacheControl(headers: IncomingHttpHeaders): Finding {
  const value = headers['cache-control'];
  const directives = (value ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store')) return finding('cache-control', 'pass', 'the response that sets the cookie has Cache-Control: no-store');
  return finding('cache-control', 'fail', `the response that sets the cookie has ${value === undefined ? 'no Cache-Control' : `Cache-Control: ${value}`}: a shared cache may hand one user's cookie to another`, 'send Cache-Control: no-store with every Set-Cookie (holdfast does; check that a proxy or CDN does not rewrite it)');
}

/** Strict-Transport-Security on an https response. */
export function checkHsts(headers: IncomingHttpHeaders): Finding[] {
  const raw = headers['strict-transport-security'];
  if (raw === undefined) return [finding('hsts', 'fail', 'no Strict-Transport-Security header', 'send Strict-Transport-Security: max-age=31536000; includeSubDomains (from the TLS proxy or the app)')];
  const directives = new Map(raw.split(';').map((d) => {
    const [k = '', v = ''] = d.split('=');
    return [k.trim().toLowerCase(), v.trim().replace(/^"|"$/g, '')] as const;
  }));
  const maxAge = Number(directives.get('max-age'));
  const out: Finding[] = [];
  if (!directives.has('max-age') || !Number.isInteger(maxAge)) out.push(finding('hsts.max-age', 'fail', `Strict-Transport-Security has no valid max-age ("${raw}")`, 'use max-age=31536000'));
  else if (maxAge === 0) out.push(finding('hsts.max-age', 'fail', 'Strict-Transport-Security max-age=0 switches HSTS off', 'use max-age=31536000'));
  else if (maxAge < YEAR_S) out.push(finding('hsts.max-age', 'warn', `Strict-Transport-Security max-age=${maxAge} is under a year`, 'raise it to max-age=31536000 once https works everywhere'));
  else out.push(finding('hsts.max-age', 'pass', `Strict-Transport-Security max-age=${maxAge}`));
  out.push(directives.has('includesubdomains')
    ? finding('hsts.subdomains', 'pass', 'Strict-Transport-Security includes subdomains')
    : finding('hsts.subdomains', 'warn', 'Strict-Transport-Security lacks includeSubDomains: a plain-http subdomain could still set cookies for this site', 'add includeSubDomains once every subdomain serves https'));
  return out;
}
