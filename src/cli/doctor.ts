/**
 * `holdfast doctor <url>`: audits a live deployment from the outside — the session cookie's
 * attributes, Secure behind a proxy, Cache-Control on responses that set the cookie, HSTS, old
 * TLS versions and the http→https redirect — and says for each problem what to change.
 */
import { checkCookie, pickSessionCookie } from './doctor-cookie.ts';
import { fetchOnce, type Fetched } from './doctor-fetch.ts';
import { finding, type Finding } from './doctor-findings.ts';
import { checkCacheControl, checkHsts } from './doctor-headers.ts';
import { checkTls } from './doctor-tls.ts';
import { UsageError, type ParsedArgs } from './args.ts';

export const DOCTOR_OPTIONS = ['cookie-path', 'cookie-name', 'http-port', 'timeout'] as const;
export const DOCTOR_FLAGS = ['insecure', 'json', 'no-tls-versions', 'no-redirect'] as const;

export interface DoctorOptions {
  /** A path on the same origin that sets the session cookie (e.g. /login); a cookie is then expected. */
  cookiePath?: string;
  cookieName?: string;
  /** Port of the plain-http listener to test the redirect on (default 80). */
  httpPort?: number;
  insecure?: boolean;
  timeout?: number;
  tlsVersions?: boolean;
  redirect?: boolean;
}

export function doctorOptionsOf(args: ParsedArgs): { url: URL; options: DoctorOptions } {
  const [target, extra] = args.positional;
  if (target === undefined || extra !== undefined) throw new UsageError('doctor needs exactly one URL, e.g. holdfast doctor https://example.com');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`"${target}" is not a URL (include the scheme: https://...)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('doctor checks http(s) URLs only');
  const number = (name: string): number | undefined => {
    const raw = args.options.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65_535 * 1000) throw new UsageError(`--${name} must be a positive whole number`);
    return n;
  };
  const cookiePath = args.options.get('cookie-path');
  if (cookiePath !== undefined && !cookiePath.startsWith('/')) throw new UsageError('--cookie-path must start with "/"');
  const options: DoctorOptions = {
    insecure: args.flags.has('insecure'),
    tlsVersions: !args.flags.has('no-tls-versions'),
    redirect: !args.flags.has('no-redirect'),
  };
  const httpPort = number('http-port');
  const timeout = number('timeout');
  if (cookiePath !== undefined) options.cookiePath = cookiePath;
  if (args.options.has('cookie-name')) options.cookieName = args.options.get('cookie-name') as string;
  if (httpPort !== undefined) options.httpPort = httpPort;
  if (timeout !== undefined) options.timeout = timeout;
  return { url, options };
}

async function checkRedirect(url: URL, httpPort: number, options: DoctorOptions): Promise<Finding> {
  const plain = new URL(url.href);
  plain.protocol = 'http:';
  plain.port = httpPort === 80 ? '' : String(httpPort);
  let res: Fetched;
  try {
    res = await fetchOnce(plain, { timeout: options.timeout ?? 5_000 });
  } catch (error) {
    return finding('redirect', 'warn', `nothing answered on ${plain.origin} (${(error as Error).message})`, 'listen on port 80 and redirect every request to https (308), so a typed or old http link still lands on https');
  }
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(res.status) && location !== undefined && new URL(location, plain).protocol === 'https:') {
    return finding('redirect', 'pass', `${plain.origin} redirects to https (${res.status})`);
  }
  const leaked = res.setCookies.length > 0 ? '; it even sets cookies over plain http' : '';
  return finding('redirect', 'fail', `${plain.href} answers ${res.status} without redirecting to https${leaked}`, 'redirect all plain-http requests to https (nginx: return 308 https://$host$request_uri;)');
}

/** Runs every check against `url`. Never throws for a bad deployment: unreachable is a finding. */
export async function doctor(url: URL, options: DoctorOptions = {}): Promise<Finding[]> {
  const https = url.protocol === 'https:';
  const findings: Finding[] = [];
  const fetchOptions = { insecure: options.insecure === true, timeout: options.timeout ?? 10_000 };
  let main: Fetched;
  try {
    main = await fetchOnce(url, fetchOptions);
  } catch (error) {
    const message = (error as Error).message;
    const selfSigned = /self[- ]signed|unable to verify|certificate/i.test(message);
    return [finding('fetch', 'fail', `could not fetch ${url.href}: ${message}`, selfSigned ? 'use a certificate browsers trust; --insecure skips this check for test servers' : 'check the URL and that the server is reachable from here')];
  }
  findings.push(https
    ? finding('https', 'pass', `${url.origin} is served over https`)
    : finding('https', 'fail', `${url.origin} is plain http: session cookies travel in clear text`, 'serve the site over https (a TLS proxy in front is fine; set trustProxy for it)'));

  let cookieResponse: Fetched | undefined = main;
  if (options.cookiePath !== undefined) {
    try {
      cookieResponse = await fetchOnce(new URL(options.cookiePath, url), fetchOptions);
    } catch (error) {
      cookieResponse = undefined;
      findings.push(finding('cookie', 'fail', `could not fetch ${options.cookiePath}: ${(error as Error).message}`));
    }
  }
  if (cookieResponse !== undefined) {
    const cookie = pickSessionCookie(cookieResponse.setCookies, options.cookieName);
    if (cookie !== undefined) {
      findings.push(...checkCookie(cookie, https), checkCacheControl(cookieResponse.headers));
    } else if (options.cookiePath !== undefined) {
      const names = cookieResponse.setCookies.map((c) => c.split('=')[0]).join(', ') || 'none';
      findings.push(finding('cookie', 'fail', `${options.cookiePath} answered ${cookieResponse.status} without setting the session cookie (cookies set: ${names})`, https
        ? 'if the app sits behind a TLS proxy, holdfast refuses to send its Secure cookie on what it sees as plain http: set trustProxy (e.g. 1 for one nginx) and have the proxy send X-Forwarded-Proto: https; the app logs this once, with the fix'
        : 'point --cookie-path at a path that starts a session, and pass --cookie-name if the cookie is not called __Host-sid or sid'));
    } else {
      findings.push(finding('cookie', 'skip', `${url.pathname} set no session cookie, so its attributes were not checked`, 'pass --cookie-path /a/path/that/sets/it (e.g. --cookie-path /login)'));
    }
  }

  if (https) {
    findings.push(...checkHsts(main.headers));
    const port = Number(url.port || 443);
    if (options.tlsVersions !== false) findings.push(...(await checkTls(url.hostname.replace(/^\[|\]$/g, ''), port, main.tlsVersion)));
    if (options.redirect !== false) findings.push(await checkRedirect(url, options.httpPort ?? 80, options));
  } else {
    findings.push(finding('hsts', 'skip', 'HSTS, TLS versions and the https redirect apply to https URLs only'));
  }
  return findings;
}
