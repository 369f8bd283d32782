/**
 * Finding the session ID in a request, exactly where express-session 1.19 looks:
 * 1. the `Cookie` header, parsed the way its `cookie` 0.7 dependency parses it (first occurrence
 *    of the name wins, spaces and tabs trimmed, one pair of surrounding double quotes dropped,
 *    URI-decoded when it contains '%'), value `s:<id>.<mac>`;
 * 2. `req.signedCookies[name]` (cookie-parser, already verified by it);
 * 3. `req.cookies[name]` (cookie-parser, unsigned parse), value `s:<id>.<mac>`.
 * Only the one name is extracted: no object is built for the other cookies.
 */
import type { Signer } from './signature.ts';

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function decode(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string, name: string): string | undefined {
  if (header.length < 2 || header.indexOf(name) === -1) return undefined;
  const len = header.length;
  let index = 0;
  do {
    const eqIdx = header.indexOf('=', index);
    if (eqIdx === -1) break;
    let endIdx = header.indexOf(';', index);
    if (endIdx === -1) {
      endIdx = len;
    } else if (eqIdx > endIdx) {
      // backtrack on prior semicolon
      index = header.lastIndexOf(';', eqIdx - 1) + 1;
      continue;
    }
    let keyStart = index;
    while (keyStart < eqIdx && isSpace(header.charCodeAt(keyStart))) keyStart++;
    let keyEnd = eqIdx;
    while (keyEnd > keyStart && isSpace(header.charCodeAt(keyEnd - 1))) keyEnd--;
    if (keyEnd - keyStart === name.length && header.startsWith(name, keyStart)) {
      let valStart = eqIdx + 1;
      while (valStart < endIdx && isSpace(header.charCodeAt(valStart))) valStart++;
      let valEnd = endIdx;
      while (valEnd > valStart && isSpace(header.charCodeAt(valEnd - 1))) valEnd--;
      if (header.charCodeAt(valStart) === 0x22 && header.charCodeAt(valEnd - 1) === 0x22) {
        valStart++;
        valEnd--;
      }
      return decode(header.slice(valStart, valEnd));
    }
    index = endIdx + 1;
  } while (index < len);
  return undefined;
}

export interface CookieSources {
  headers: { cookie?: string | string[] | undefined };
  signedCookies?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
}

/** Verified session ID from the request, or undefined (absent, unsigned, or a bad signature). */
export function sessionIdFrom(req: CookieSources, name: string, signer: Signer): string | undefined {
  const header = req.headers.cookie;
  let val: string | undefined;

  if (typeof header === 'string' && header !== '') {
    const raw = readCookie(header, name);
    if (raw && raw.startsWith('s:')) val = signer.unsign(raw.slice(2));
  }

  // back-compat: cookie-parser's signedCookies, then its unsigned cookies
  if (!val && req.signedCookies) {
    const signed = req.signedCookies[name];
    if (typeof signed === 'string' && signed) val = signed;
  }
  if (!val && req.cookies) {
    const raw = req.cookies[name];
    if (typeof raw === 'string' && raw.startsWith('s:')) val = signer.unsign(raw.slice(2));
  }
  return val || undefined;
}
