/**
 * Cookie signing: `<id>.<mac>` where mac = base64url HMAC-SHA256(secret, id). The first secret
 * signs; every secret verifies (rotation: put the new secret first, keep old ones to verify).
 * Verification is constant-time and happens before anything touches the store.
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ConfigError } from './errors.ts';

/** Secrets that appear in tutorials and must never reach production. */
const PLACEHOLDERS = new Set([
  'keyboard cat',
  'secret',
  'changeme',
  'change me',
  'change-me',
  'changeit',
  'password',
  'default',
  'mysecret',
  'my secret',
  'my-secret',
  'supersecret',
  'super secret',
  'super secret password',
  'your-secret',
  'your secret',
  'your-secret-key',
  'session secret',
  'session-secret',
  'sessionsecret',
  'test',
  'dev',
  'development',
  'xxx',
  'abc123',
  '123456',
]);

export const MIN_SECRET_LENGTH = 32;

const HOW_TO_MAKE_ONE =
  "generate one with `npx holdfast keygen` or `node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\"` and pass it from an environment variable";

export interface VerifiedCookie {
  id: string;
  /** Index of the secret that verified it: 0 is current, above 0 means "signed with an old secret". */
  keyIndex: number;
}

export interface Keyring {
  sign(id: string): string;
  /** Returns null for anything that is not a well-formed value signed by one of our secrets. */
  verify(value: string): VerifiedCookie | null;
  /**
   * MACs under keys derived from the secrets for another purpose (`label`, e.g. 'holdfast csrf'),
   * so no other feature ever reuses the cookie-signing key. Same rotation rule: the first secret's
   * key signs, every secret's key verifies.
   */
  derive(label: string): DerivedMac;
}

/** HMAC-SHA256 under keys derived (HKDF-SHA256, one per secret) from the keyring's secrets. */
export interface DerivedMac {
  /** base64url MAC of `data` under the current secret's derived key (43 characters). */
  sign(data: string): string;
  /** Whether `mac` is the MAC of `data` under any secret's derived key; constant time per key. */
  verify(data: string, mac: string): boolean;
}

/** Length of a signed value: 43-char ID, '.', 43-char MAC. */
const SIGNED_LENGTH = 87;

export function createKeyring(secrets: unknown, production: boolean): Keyring {
  const list = normaliseSecrets(secrets, production);
  const keys: KeyObject[] = list.map((s) => createSecretKey(Buffer.from(s, 'utf8')));
  const signing = keys[0] as KeyObject;
  const mac = (key: KeyObject, id: string): string => createHmac('sha256', key).update(id).digest('base64url');

  return {
    sign(id) {
      return `${id}.${mac(signing, id)}`;
    },
    verify(value) {
      if (value.length !== SIGNED_LENGTH || value.charCodeAt(43) !== 46 /* '.' */) return null;
      const id = value.slice(0, 43);
      // UTF-8, not latin1: latin1 keeps only the low byte of each character, so a look-alike MAC
      // (U+0141 for "A", which a percent-decoding cookie parser can produce) would compare equal.
      const given = Buffer.from(value.slice(44), 'utf8');
      for (let i = 0; i < keys.length; i++) {
        const expected = Buffer.from(mac(keys[i] as KeyObject, id), 'latin1');
        if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, keyIndex: i };
      }
      return null;
    },
    derive(label) {
      return deriveMac(list, label);
    },
  };
}

function deriveMac(secrets: readonly string[], label: string): DerivedMac {
  const keys = secrets.map((s) => createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(s, 'utf8'), 'holdfast', label, 32))));
  const mac = (key: KeyObject, data: string): string => createHmac('sha256', key).update(data).digest('base64url');
  return {
    sign: (data) => mac(keys[0] as KeyObject, data),
    verify(data, given) {
      const a = Buffer.from(given, 'utf8');
      let ok = false;
      for (const key of keys) {
        const b = Buffer.from(mac(key, data), 'latin1');
        if (a.length === b.length && timingSafeEqual(a, b)) ok = true;
      }
      return ok;
    },
  };
}

function normaliseSecrets(secrets: unknown, production: boolean): string[] {
  if (secrets === undefined || secrets === null || secrets === '') {
    throw new ConfigError(`the "secrets" option is required: ${HOW_TO_MAKE_ONE}`);
  }
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ConfigError(`"secrets" must be a non-empty string or a non-empty array of non-empty strings: ${HOW_TO_MAKE_ONE}`);
  }
  if (production) {
    list.forEach((secret: string, i: number) => {
      const which = list.length > 1 ? `secrets[${i}]` : 'the secret';
      if (PLACEHOLDERS.has(secret.trim().toLowerCase())) {
        throw new ConfigError(`${which} is a well-known placeholder and NODE_ENV is production: ${HOW_TO_MAKE_ONE}`);
      }
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new ConfigError(
          `${which} is ${secret.length} characters; production needs at least ${MIN_SECRET_LENGTH} random characters: ${HOW_TO_MAKE_ONE}`,
        );
      }
      if (new Set(secret).size < 8) {
        throw new ConfigError(`${which} repeats too few distinct characters to be random: ${HOW_TO_MAKE_ONE}`);
      }
    });
  }
  return list as string[];
}

/** Whether a single secret would be accepted in production (for warnings in development). */
export function isWeakSecret(secret: string): boolean {
  return PLACEHOLDERS.has(secret.trim().toLowerCase()) || secret.length < MIN_SECRET_LENGTH || new Set(secret).size < 8;
}
