/**
 * Which cookie a request gets: its name and attributes, decided once at construction (bad
 * combinations throw) and per request only by whether the transport is secure.
 *
 * Defaults: `__Host-sid` with Path=/, HttpOnly, Secure, SameSite=Lax, no Domain. Outside
 * production a plain-http request gets `sid` without Secure so local development works; in
 * production (or whenever the configuration needs Secure) a plain-http request gets no cookie at
 * all: holdfast never downgrades, it warns instead.
 */
import { serialize, type SerializeOptions } from 'cookie';
import { ConfigError } from './errors.ts';

export type SameSite = 'lax' | 'strict' | 'none';
export type Priority = 'low' | 'medium' | 'high';

export interface CookieOptions {
  /** Cookie name. Default `__Host-sid` (`__Secure-sid` with a Domain or a Path other than /; `sid` over plain http outside production). */
  name?: string;
  /** Default 'lax'. 'none' requires Secure, so such a cookie is never sent over plain http. */
  sameSite?: SameSite;
  /** Default none (host-only). Setting it rules out the `__Host-` prefix. */
  domain?: string;
  /** Default '/'. */
  path?: string;
  /** CHIPS partitioned cookie. Default false. Requires Secure. */
  partitioned?: boolean;
  /** Chrome's Priority attribute. Default none. */
  priority?: Priority;
  /** false makes it a browser-session cookie (no Max-Age). Default true. */
  persistent?: boolean;
}

export interface CookiePolicy {
  /** Name to read and write for a request with this security. */
  nameFor(secure: boolean): string;
  /** Whether a cookie may be sent at all on a request with this security. */
  canSend(secure: boolean): boolean;
  /** Set-Cookie value carrying `value`, living `maxAgeMs`. */
  serialize(secure: boolean, value: string, maxAgeMs: number): string;
  /** Set-Cookie value that deletes the cookie, with the same attributes it was set with. */
  clear(secure: boolean): string;
  /** Whether a custom name was given (for warnings). */
  readonly customName: boolean;
  /** Whether the Secure attribute is required whatever the request (production, prefixes, SameSite=None, Partitioned). */
  readonly secureRequired: boolean;
}

const NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SAMESITE = new Set(['lax', 'strict', 'none']);
const PRIORITY = new Set(['low', 'medium', 'high']);

export function createCookiePolicy(options: CookieOptions = {}, production: boolean): CookiePolicy {
  if (options === null || typeof options !== 'object') throw new ConfigError('"cookie" must be an object');
  const { name, sameSite = 'lax', domain, path = '/', partitioned = false, priority, persistent = true } = options;
  const sameSiteValue = typeof sameSite === 'string' ? (sameSite.toLowerCase() as SameSite) : sameSite;

  if (name !== undefined && (typeof name !== 'string' || !NAME_PATTERN.test(name))) {
    throw new ConfigError('cookie.name must be a non-empty token (letters, digits and !#$%&\'*+-.^_`|~), for example "__Host-sid"');
  }
  if (!SAMESITE.has(sameSiteValue)) throw new ConfigError("cookie.sameSite must be 'lax', 'strict' or 'none'");
  if (domain !== undefined && (typeof domain !== 'string' || domain === '' || /[;,\s]/.test(domain))) {
    throw new ConfigError('cookie.domain must be a host name such as "example.com"');
  }
  if (typeof path !== 'string' || !path.startsWith('/') || /[;\s]/.test(path)) {
    throw new ConfigError('cookie.path must start with "/" and contain no ";" or spaces');
  }
  if (priority !== undefined && !PRIORITY.has(priority)) throw new ConfigError("cookie.priority must be 'low', 'medium' or 'high'");
  if (typeof partitioned !== 'boolean') throw new ConfigError('cookie.partitioned must be a boolean');
  if (typeof persistent !== 'boolean') throw new ConfigError('cookie.persistent must be a boolean');

  const hostPrefixOk = domain === undefined && path === '/';
  // Browsers match the prefixes case-insensitively (RFC 6265bis): `__host-sid` is held to __Host- rules.
  const lowerName = name?.toLowerCase();
  if (lowerName?.startsWith('__host-') === true && !hostPrefixOk) {
    throw new ConfigError(
      `cookie.name "${name}" uses the __Host- prefix, which browsers only accept with Path=/ and no Domain; ` +
        'drop cookie.domain / cookie.path, or use a "__Secure-" name',
    );
  }
  const prefixed = lowerName !== undefined && (lowerName.startsWith('__host-') || lowerName.startsWith('__secure-'));
  const secureRequired = production || prefixed || sameSiteValue === 'none' || partitioned;
  const secureName = name ?? (hostPrefixOk ? '__Host-sid' : '__Secure-sid');
  const plainName = name ?? 'sid';

  const base = (secure: boolean): SerializeOptions => ({
    path,
    domain,
    httpOnly: true,
    secure,
    sameSite: sameSiteValue,
    partitioned: partitioned || undefined,
    priority,
  });

  // The cookie package refuses some values only when serialising (a Domain with a port or '_',
  // a non-ASCII Path): find that out now, not on every request that sets the cookie.
  try {
    serialize(secureName, 'x', base(true));
  } catch (error) {
    throw new ConfigError(`cookie options are not valid in a Set-Cookie header (${(error as Error).message})`);
  }

  // What follows `name=value` and Max-Age (which the cookie package writes first) is fixed per
  // security level: have the package write it once, then only concatenate per response.
  const tailFor = (secure: boolean): string => {
    const cookieName = secure ? secureName : plainName;
    return serialize(cookieName, '', base(secure)).slice(cookieName.length + 1);
  };
  const secureTail = tailFor(true);
  const plainTail = tailFor(false);

  return {
    customName: name !== undefined,
    secureRequired,
    nameFor: (secure) => (secure ? secureName : plainName),
    canSend: (secure) => secure || !secureRequired,
    serialize(secure, value, maxAgeMs) {
      const cookieName = secure ? secureName : plainName;
      let maxAge = '';
      if (persistent) {
        const seconds = Math.max(0, Math.floor(maxAgeMs / 1000));
        // Not a whole number: let the package throw its own error.
        if (!Number.isInteger(seconds)) return serialize(cookieName, value, { ...base(secure), maxAge: seconds });
        maxAge = `; Max-Age=${seconds}`;
      }
      // The same encoding the package applies (its default `encode`).
      return `${cookieName}=${encodeURIComponent(value)}${maxAge}${secure ? secureTail : plainTail}`;
    },
    clear(secure) {
      const opts = base(secure);
      opts.maxAge = 0;
      opts.expires = new Date(0);
      return serialize(secure ? secureName : plainName, '', opts);
    },
  };
}

/** Cache-Control for a response that sets the session cookie: no-store, unless the app already said so. */
export function noStoreCacheControl(existing: string | undefined): string {
  if (existing !== undefined && /(^|[\s,])no-store([\s,]|$)/i.test(existing)) return existing;
  return 'no-store';
}
