/**
 * Origins as browsers serialise them in the `Origin` header: `scheme://host[:port]`, lower-case,
 * default port omitted. Configured origins are normalised to that form once, at construction;
 * per request the header is compared as is (exact match), never parsed.
 */
import { ConfigError } from '../core/errors.ts';

const WILDCARD_FIX =
  'list every origin explicitly, e.g. allowedOrigins: ["https://app.example.com", "https://admin.example.com"]; ' +
  'a wildcard would let any matching host (a forgotten subdomain, a takeover) send state-changing requests';

/** Normalise one configured origin, or throw a ConfigError that says how to write it. */
export function normaliseOrigin(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where} must be a non-empty string like "https://app.example.com"`);
  if (value.includes('*')) throw new ConfigError(`${where} is a wildcard ("${value}"): holdfast/csrf matches origins exactly; ${WILDCARD_FIX}`);
  if (value.trim().toLowerCase() === 'null') {
    throw new ConfigError(`${where} is "null": the opaque origin of sandboxed frames and file: pages is never trusted; remove it`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${where} ("${value}") is not an origin: write scheme://host[:port], e.g. "https://app.example.com"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${where} ("${value}") must be an http: or https: origin`);
  }
  const bare = `${url.protocol}//${url.host}`;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '') || !isBare(value, bare)) {
    throw new ConfigError(`${where} ("${value}") has more than an origin: write only scheme://host[:port] ("${bare}"), no path, query or credentials`);
  }
  return bare;
}

/** `value` is `bare` give or take a trailing slash, case and a default port (what URL removes). */
function isBare(value: string, bare: string): boolean {
  const v = value.toLowerCase().replace(/\/$/, '');
  return v === bare || v === `${bare}:443` || v === `${bare}:80`;
}

/**
 * The request's own origin from its Host header and whether the connection is secure (by the
 * engine's transport rules, trusted proxies included); undefined without a usable Host.
 */
export function ownOrigin(host: string | undefined, secure: boolean): string | undefined {
  if (host === undefined || host === '' || host.length > 255) return undefined;
  let h = host.toLowerCase();
  if (secure && h.endsWith(':443')) h = h.slice(0, -4);
  else if (!secure && h.endsWith(':80')) h = h.slice(0, -3);
  return `${secure ? 'https' : 'http'}://${h}`;
}
