/**
 * Signing and verifying access tokens (JWT, RFC 9068 shape) with jose. Verification is strict
 * and vague: any failure is a reason code for the event and `null` for the caller, never a throw
 * or a detail. The order: size and shape → header (kid, alg) → kid in the ring and not revoked →
 * the header's alg equals the one bound to that kid and is allowed → signature, `typ`, `aud`,
 * `iss`, `exp` / `iat` by jose on the engine's clock → our own claims' types.
 */
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { AccessKeyRing } from './access-keys.ts';
import type { TokenRejectReason } from './events.ts';
import { FAMILY_HANDLE_LENGTH } from './refresh-token.ts';

/** Longest access token looked at. */
export const MAX_ACCESS_TOKEN_LENGTH = 8192;

const JWS_SHAPE = /^[A-Za-z0-9_-]{2,2000}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}$/;
const HANDLE_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${FAMILY_HANDLE_LENGTH}}$`);

/** Claim names an application cannot set (the engine sets or forbids them). */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sid', 'typ', 'cnf', 'kid', 'alg']);

export interface AccessSettings {
  ring: AccessKeyRing;
  audience: string;
  issuer: string | undefined;
  typ: string;
}

export interface SignInput {
  userId: string;
  handle: string;
  claims: Record<string, unknown>;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

export async function signAccessToken(s: AccessSettings, input: SignInput): Promise<string> {
  const key = s.ring.signer();
  const jwt = new SignJWT({ ...input.claims, sid: input.handle })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: s.typ })
    .setSubject(input.userId)
    .setAudience(s.audience)
    .setIssuedAt(input.iat)
    .setExpirationTime(input.exp)
    .setJti(randomBytes(16).toString('base64url'));
  if (s.issuer !== undefined) jwt.setIssuer(s.issuer);
  return jwt.sign(key.signKey as NonNullable<typeof key.signKey>);
}

export type VerifiedAccess =
  | { ok: true; userId: string; handle: string; payload: JWTPayload; exp: number }
  | { ok: false; reason: TokenRejectReason; handle?: string; userId?: string };

const fail = (reason: TokenRejectReason): VerifiedAccess => ({ ok: false, reason });

export async function verifyAccessToken(s: AccessSettings, token: unknown, nowMs: number): Promise<VerifiedAccess> {
  if (typeof token !== 'string' || token.length > MAX_ACCESS_TOKEN_LENGTH || !JWS_SHAPE.test(token)) return fail('malformed');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail('malformed');
  }
  if (typeof header.kid !== 'string' || typeof header.alg !== 'string') return fail('malformed');
  const { key, revoked } = s.ring.lookup(header.kid);
  if (revoked) return fail('revoked-kid');
  if (key === undefined) return fail('unknown-kid');
  // The algorithm is the kid's, never the token's choice: an HS256 header on an RS256 kid (the
  // public key used as an HMAC secret) or "none" stops here.
  if (header.alg !== key.alg || !s.ring.algorithms.includes(key.alg)) return fail('bad-signature');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.verifyKey, {
      algorithms: [key.alg],
      audience: s.audience,
      ...(s.issuer === undefined ? {} : { issuer: s.issuer }),
      typ: s.typ,
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'sid', 'iat', 'exp', 'aud'],
    }));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_JWT_EXPIRED') return fail('expired');
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return fail('bad-signature');
    return fail('malformed');
  }
  const { sub, sid, exp } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || !HANDLE_SHAPE.test(sid) || typeof exp !== 'number') {
    return fail('malformed');
  }
  return { ok: true, userId: sub, handle: sid, payload, exp };
}

/** The application's claims of a verified payload (registered ones removed), in a null-prototype object. */
export function customClaims(payload: JWTPayload): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(payload)) if (!RESERVED_CLAIMS.has(name)) out[name] = payload[name];
  return out;
}
