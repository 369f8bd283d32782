/**
 * express-session's signed cookie value: `s:` + id + `.` + base64(HMAC-SHA256(secret, id)) without
 * `=` padding (cookie-signature 1.0.x), URI-encoded by the cookie serializer.
 *
 * Verification differs from cookie-signature in how, not in what it accepts: every secret is
 * tried (no early exit on the first match, so timing does not tell which secret matched), and the
 * MAC is compared with timingSafeEqual on fixed-length buffers, its length checked without
 * branching before the comparison. The accepted values are exactly cookie-signature's: the ID is
 * everything before the last '.', and the MAC must be the 43-character unpadded base64.
 *
 * A memo of values that verified: the SHA-256 of each signed value that passed (never the value
 * or the ID; bounded, oldest first out). A browser sends the same cookie on every request, and
 * one SHA-256 of it costs a fraction of creating an HMAC per secret. Only a value that verified can
 * be a hit, so the memo tells nothing to someone without a valid cookie; a miss takes the full
 * constant-time path above. Secrets are fixed for the life of a signer, so a hit can never be
 * stale.
 */
import { createHmac, hash, timingSafeEqual, type BinaryLike, type KeyObject } from 'node:crypto';

/** A secret as cookie-signature accepts it. */
export type Secret = string | BinaryLike | KeyObject;

/** Length of unpadded base64 HMAC-SHA256. */
const MAC_LENGTH = 43;
/** Signed values remembered as verified. */
const MEMO_SIZE = 10_000;

export interface Signer {
  /** `s:<id>.<mac>` with the first secret (not yet URI-encoded). */
  sign(id: string): string;
  /** The ID inside `<id>.<mac>` (the part after `s:`) when one of the secrets signed it, else undefined. */
  unsign(value: string): string | undefined;
}

/** base64 HMAC-SHA256 without padding (always 43 characters). */
function mac(key: Secret, id: string): string {
  return createHmac('sha256', key).update(id).digest('base64').slice(0, MAC_LENGTH);
}

export function createSigner(secrets: readonly Secret[]): Signer {
  const keys = [...secrets];
  const given = Buffer.alloc(MAC_LENGTH);
  const expected = Buffer.alloc(MAC_LENGTH);
  const verified = new Set<string>();

  const check = (value: string): string | undefined => {
    const dot = value.lastIndexOf('.');
    if (dot === -1) return undefined;
    const id = value.slice(0, dot);
    const macPart = value.slice(dot + 1);
    given.fill(0);
    given.write(macPart, 0, MAC_LENGTH, 'utf8');
    // exactly 43 single-byte characters (a multi-byte character makes the byte length differ)
    const lengthOk = macPart.length === MAC_LENGTH && Buffer.byteLength(macPart, 'utf8') === MAC_LENGTH;
    let found: string | undefined;
    for (const key of keys) {
      expected.write(mac(key, id), 0, MAC_LENGTH, 'latin1');
      // Both comparisons run for every secret; `&` rather than `&&` keeps them unconditional.
      const match = Number(timingSafeEqual(given, expected)) & Number(lengthOk);
      if (match === 1 && found === undefined) found = id;
    }
    return found;
  };

  return {
    sign(id) {
      return `s:${id}.${mac(keys[0] as Secret, id)}`;
    },
    unsign(value) {
      const digest = hash('sha256', value, 'base64');
      if (verified.has(digest)) return value.slice(0, value.lastIndexOf('.'));
      const id = check(value);
      if (id !== undefined) {
        verified.add(digest);
        if (verified.size > MEMO_SIZE) verified.delete(verified.values().next().value as string);
      }
      return id;
    },
  };
}

/** Sign with a string secret, as cookie-signature does (for `req.secret` from cookie-parser). */
export function signerFor(secret: Secret): Signer {
  return createSigner([secret]);
}
