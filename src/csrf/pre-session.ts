/**
 * The pre-session cookie: what a token is bound to when a form (typically the login form) is
 * rendered before any session exists. Value `<nonce>.<expires, s since the epoch>.<mac>`, signed
 * with the CSRF key so it cannot be made up; short-lived; `__Host-` prefixed over https (no
 * Domain, Path=/, Secure: a sibling subdomain cannot plant one). The token is the MAC of the nonce
 * (double submit: the form carries the token, the cookie the nonce).
 */
import { randomBytes } from 'node:crypto';
import { serialize } from 'cookie';
import type { DerivedMac } from '../core/keyring.ts';
import { readCookie } from '../core/read-cookie.ts';

export const PRE_SESSION_COOKIE_SECURE = '__Host-holdfast-csrf';
export const PRE_SESSION_COOKIE_PLAIN = 'holdfast-csrf';

const VALUE = /^([A-Za-z0-9_-]{43})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function preSessionCookieName(secure: boolean): string {
  return secure ? PRE_SESSION_COOKIE_SECURE : PRE_SESSION_COOKIE_PLAIN;
}

/** Whether the Cookie header carries a pre-session cookie at all (valid or not). */
export function hasPreSessionCookie(cookieHeader: string | undefined, secure: boolean): boolean {
  return cookieHeader !== undefined && readCookie(cookieHeader, preSessionCookieName(secure)) !== undefined;
}

export interface PreSession {
  nonce: string;
  expiresAt: number;
}

/** The request's pre-session when its cookie is well formed, signed by us and not expired. */
export function readPreSession(mac: DerivedMac, cookieHeader: string | undefined, secure: boolean, now: number): PreSession | undefined {
  if (cookieHeader === undefined) return undefined;
  const value = readCookie(cookieHeader, preSessionCookieName(secure));
  const match = value === undefined ? null : VALUE.exec(value);
  if (match === null) return undefined;
  const [, nonce, exp, sig] = match as unknown as [string, string, string, string];
  if (!mac.verify(`pc:${nonce}.${exp}`, sig)) return undefined;
  const expiresAt = Number(exp) * 1000;
  return expiresAt > now ? { nonce, expiresAt } : undefined;
}

/** A new pre-session and the Set-Cookie that carries it. */
export function issuePreSession(mac: DerivedMac, secure: boolean, now: number, maxAgeMs: number): PreSession & { setCookie: string } {
  const nonce = randomBytes(32).toString('base64url');
  const exp = Math.floor((now + maxAgeMs) / 1000);
  const value = `${nonce}.${exp}.${mac.sign(`pc:${nonce}.${exp}`)}`;
  const setCookie = serialize(preSessionCookieName(secure), value, {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: 'lax',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
  return { nonce, expiresAt: exp * 1000, setCookie };
}
