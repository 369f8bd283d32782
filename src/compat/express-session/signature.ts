/**
 * express-session's signed cookie value: `s:` + id + `.` + base64(HMAC-SHA256(secret, id)) without
 * `=` padding (cookie-signature 1.0.x), URI-encoded by the cookie serializer.
 *
 * Verification differs from cookie-signature in how, not in what it accepts: every secret is
 * tried (no early exit on the first match, so timing does not tell which secret matched), and the
 * MAC is compared with timingSafeEqual on fixed-length buffers, its length checked without
 * branching before the comparison. The accepted values are exactly cookie-signature's: the ID is
 * everything before the last '.', and the MAC must be the 43-character unpadded base64.
 */
import { createHmac, timingSafeEqual, type BinaryLike, type KeyObject } from 'node:crypto';

/** A secret as cookie-signature accepts it. */
export type Secret = string | BinaryLike | KeyObject;

/** Length of unpadded base64 HMAC-SHA256. */
const MAC_LENGTH = 43;

export interface Signer {
  /** `s:<id>.<mac>` with the first secret (not yet URI-encoded). */
  sign(id: string): string;
  /** The ID inside `<id>.<mac>` (the part after `s:`) when one of the secrets signed it, else undefined. */
  unsign(value: string): string | undefined;
}

function mac(key: Secret, id: string): string {
  return createHmac('sha256', key).update(id).digest('base64').replace(/=+$/, '');
}

export function createSigner(secrets: readonly Secret[]): Signer {
  const keys = [...secrets];
  const given = Buffer.alloc(MAC_LENGTH);
  return {
    sign(id) {
      return `s:${id}.${mac(keys[0] as Secret, id)}`;
    },
    unsign(value) {
      const dot = value.lastIndexOf('.');
      if (dot === -1) return undefined;
      const id = value.slice(0, dot);
      const raw = Buffer.from(value.slice(dot + 1), 'utf8');
      given.fill(0);
      raw.copy(given, 0, 0, MAC_LENGTH);
      const lengthOk = raw.length === MAC_LENGTH;
      let found: string | undefined;
      for (const key of keys) {
        const expected = Buffer.from(mac(key, id), 'latin1');
        // Both comparisons run for every secret; `&` rather than `&&` keeps them unconditional.
        const match = Number(timingSafeEqual(given, expected)) & Number(lengthOk);
        if (match === 1 && found === undefined) found = id;
      }
      return found;
    },
  };
}

/** Sign with a string secret, as cookie-signature does (for `req.secret` from cookie-parser). */
export function signerFor(secret: Secret): Signer {
  return createSigner([secret]);
}
