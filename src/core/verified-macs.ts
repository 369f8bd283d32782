/**
 * A bounded memo of cookie MACs this engine has already verified, keyed by the store key (the
 * SHA-256 of the ID, which the request path computes anyway). A returning cookie is then checked
 * with one constant-time comparison against the remembered MAC instead of one HMAC per secret.
 *
 * Nothing secret is kept: a store key cannot be turned back into an ID, and a MAC is only valid
 * together with its ID. A miss, or a MAC that differs, falls through to the full keyring check.
 */
import { equalInConstantTime } from './constant-time.ts';
import type { VerifiedCookie } from './keyring.ts';

interface Entry {
  /** The MAC part of the value (base64url, 43 characters). */
  mac: string;
  keyIndex: number;
}

export class VerifiedMacs {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** The verified cookie when `value` (`<id>.<mac>`) carries the MAC remembered for `key`. */
  check(key: string, value: string): VerifiedCookie | null {
    const entry = this.#entries.get(key);
    if (entry === undefined) return null;
    // Whole UTF-16 code units are compared, so no look-alike character can pass for another.
    if (!equalInConstantTime(value.slice(44), entry.mac)) return null;
    return { id: value.slice(0, 43), keyIndex: entry.keyIndex };
  }

  remember(key: string, value: string, keyIndex: number): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { mac: detached(value.slice(44)), keyIndex });
  }
}

/**
 * A copy of `text` that shares no memory with the string it was cut from. `value` is a slice of
 * the request's whole Cookie header, and V8 keeps a slice's parent alive: a memo entry holding a
 * plain slice would keep that header, raw session ID and every other cookie included, in memory
 * for as long as the entry lives. Runs only on a memo miss, after a full HMAC check.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
