/**
 * Refresh tokens: `<familyId>.<gen>.<mac>`, opaque to clients.
 * - familyId: 256 bits from the CSPRNG, base64url (43 characters), minted once per family (login).
 * - gen: the generation, a decimal counter that moves by one at each rotation.
 * - mac: base64url HMAC-SHA256(refresh key, `<familyId>.<gen>`), the refresh key derived from
 *   `secrets` (HKDF, its own label, so it is never the key that signs access tokens).
 *
 * No store holds any of it: a family is filed under its handle, a truncated SHA-256 of the
 * familyId, which cannot be turned back into one. Because the token of generation g is a pure
 * function of (familyId, g, secret), the server can hand the SAME successor to every request
 * that presents generation g - 1 during the grace window without ever storing it. A token
 * whose MAC does not verify was never issued: it is refused without touching the family (so
 * knowing a handle, or guessing, cannot get anybody's family revoked).
 */
import { createHmac, hash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Longest text looked at: anything longer is refused before any parsing. */
export const MAX_REFRESH_TOKEN_LENGTH = 120;

const SHAPE = /^([A-Za-z0-9_-]{43})\.(0|[1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;

/** Length of a family handle: 132 bits of SHA-256, unique among any number of families in practice. */
export const FAMILY_HANDLE_LENGTH = 22;

export interface ParsedRefreshToken {
  familyId: string;
  gen: number;
  /** Store key and public name of the family. */
  handle: string;
}

export interface RefreshKeys {
  /** The token for (familyId, gen), MAC'd with the first secret. */
  mint(familyId: string, gen: number): string;
  /** Parse and verify; null for anything we did not issue (shape or MAC). Constant-time MAC check. */
  open(token: unknown): ParsedRefreshToken | null;
}

export function newFamilyId(): string {
  return randomBytes(32).toString('base64url');
}

export function handleOfFamily(familyId: string): string {
  return hash('sha256', familyId, 'base64url').slice(0, FAMILY_HANDLE_LENGTH);
}

/** A per-purpose key derived from one configured secret (HKDF-SHA256, no salt, labelled). */
export function deriveKey(secret: string, label: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `holdfast tokens ${label}`, length));
}

export function createRefreshKeys(secrets: readonly string[]): RefreshKeys {
  const keys = secrets.map((s) => deriveKey(s, 'refresh v1'));
  const mac = (key: Buffer, familyId: string, gen: number): string =>
    createHmac('sha256', key).update(`${familyId}.${gen}`).digest('base64url');
  return {
    mint(familyId, gen) {
      return `${familyId}.${gen}.${mac(keys[0] as Buffer, familyId, gen)}`;
    },
    open(token) {
      if (typeof token !== 'string' || token.length > MAX_REFRESH_TOKEN_LENGTH) return null;
      const match = SHAPE.exec(token);
      if (match === null) return null;
      const familyId = match[1] as string;
      const gen = Number(match[2]);
      if (!Number.isSafeInteger(gen)) return null;
      // Compared as text (the shape allows ASCII only), so a non-canonical base64url spelling of
      // the same bytes is not a second valid token.
      const given = Buffer.from(match[3] as string, 'latin1');
      let ok = false;
      for (const key of keys) {
        // Every key is tried (no early exit), so timing does not say which one matched.
        if (timingSafeEqual(given, Buffer.from(mac(key, familyId, gen), 'latin1'))) ok = true;
      }
      return ok ? { familyId, gen, handle: handleOfFamily(familyId) } : null;
    },
  };
}
