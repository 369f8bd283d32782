/**
 * The access-token key ring: `next` → `current` → `retiring`. `current` signs; all three verify
 * (publish `next` early so every verifier knows it before it signs; keep `retiring` until the
 * last token it signed has expired). Each key has one algorithm, bound to its `kid`: a token
 * whose header names another algorithm for that kid is refused (no HS/RS confusion, no `none`).
 * `revoke(kid)` takes a key out at once, for this process (see docs/tokens.md).
 */
import { createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../core/errors.ts';
import { NoSigningKeyError } from './errors.ts';
import { deriveKey } from './refresh-token.ts';

export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'] as const;
export type AccessAlgorithm = (typeof SYMMETRIC_ALGORITHMS)[number] | (typeof ASYMMETRIC_ALGORITHMS)[number];
const ALL: readonly string[] = [...SYMMETRIC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS];

/** Key material: a node KeyObject, a JWK, or PEM text. */
export type KeyMaterial = KeyObject | JsonWebKey | string;

export interface AccessKey {
  /** Key ID, put in every token's header. 1-64 characters of [A-Za-z0-9._-]. */
  kid: string;
  alg: AccessAlgorithm;
  /** HS*: the shared secret (at least 32 bytes). */
  secret?: string | Uint8Array;
  /** Asymmetric: the private key (only needed by the instance that signs with this key). */
  privateKey?: KeyMaterial;
  /** Asymmetric: the public key (derived from privateKey when omitted). */
  publicKey?: KeyMaterial;
}

export interface AccessKeys {
  current: AccessKey;
  next?: AccessKey;
  retiring?: AccessKey | AccessKey[];
}

export interface RingKey {
  kid: string;
  alg: AccessAlgorithm;
  role: 'next' | 'current' | 'retiring';
  /** Signs (secret or private key), undefined for a verify-only key. */
  signing: KeyObject | undefined;
  verifying: KeyObject;
  /** The same keys as WebCrypto keys, made once (jose then skips a conversion per call: ~2x faster). */
  signKey: CryptoKey | KeyObject | undefined;
  verifyKey: CryptoKey | KeyObject;
}

const WEBCRYPTO: Record<AccessAlgorithm, Record<string, string>> = {
  HS256: { name: 'HMAC', hash: 'SHA-256' },
  HS384: { name: 'HMAC', hash: 'SHA-384' },
  HS512: { name: 'HMAC', hash: 'SHA-512' },
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
};

/** KeyObject → non-extractable CryptoKey for one use (Node >= 22.10); the KeyObject itself where that fails. */
function asCryptoKey(key: KeyObject, alg: AccessAlgorithm, usage: 'sign' | 'verify'): CryptoKey | KeyObject {
  const convert = (key as KeyObject & { toCryptoKey?: (a: unknown, e: boolean, u: string[]) => CryptoKey }).toCryptoKey;
  if (typeof convert !== 'function') return key;
  try {
    return convert.call(key, WEBCRYPTO[alg], false, [usage]);
  } catch {
    return key;
  }
}

function withCryptoKeys(k: Omit<RingKey, 'signKey' | 'verifyKey'>): RingKey {
  return {
    ...k,
    signKey: k.signing === undefined ? undefined : asCryptoKey(k.signing, k.alg, 'sign'),
    verifyKey: asCryptoKey(k.verifying, k.alg, 'verify'),
  };
}

export interface AccessKeyRing {
  /** The key that signs now: current, or next when current is revoked. Throws NoSigningKeyError when none. */
  signer(): RingKey;
  /** The verifying key for a kid, undefined when unknown or revoked (`revoked` says which). */
  lookup(kid: string): { key: RingKey | undefined; revoked: boolean };
  /** Refuse this kid from now on. True when it was a key of the ring. */
  revoke(kid: string): boolean;
  /** Public JWKs of the asymmetric keys that still verify (for a JWKS endpoint). */
  jwks(): { keys: JsonWebKey[] };
  readonly algorithms: readonly AccessAlgorithm[];
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const CURVE: Partial<Record<AccessAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1' };

/** Keys derived from `secrets` when no `keys` are given: HS256, kid = a non-reversible label. */
export function keysFromSecrets(secrets: readonly string[]): AccessKeys {
  const [first, ...rest] = secrets.map((s) => ({
    kid: `hs-${deriveKey(s, 'kid v1', 9).toString('base64url')}`,
    alg: 'HS256' as const,
    secret: deriveKey(s, 'access v1'),
  }));
  return { current: first as AccessKey, retiring: rest };
}

export function createAccessKeyRing(keys: AccessKeys, allowed: readonly AccessAlgorithm[]): AccessKeyRing {
  const roles: [RingKey['role'], AccessKey | undefined][] = [
    ['next', keys.next],
    ['current', keys.current],
    ...(Array.isArray(keys.retiring) ? keys.retiring : keys.retiring === undefined ? [] : [keys.retiring]).map(
      (k) => ['retiring', k] as [RingKey['role'], AccessKey],
    ),
  ];
  if (keys.current === undefined) throw new ConfigError('tokens: keys.current is required (the key that signs access tokens)');
  const byKid = new Map<string, RingKey>();
  for (const [role, key] of roles) {
    if (key === undefined) continue;
    const ring = normalise(key, role, allowed);
    if (byKid.has(ring.kid)) throw new ConfigError(`tokens: kid "${ring.kid}" is used by two keys; every key needs its own kid`);
    byKid.set(ring.kid, ring);
  }
  const revoked = new Set<string>();
  const ordered = [...byKid.values()];
  return {
    algorithms: allowed,
    signer() {
      const current = ordered.find((k) => k.role === 'current' && !revoked.has(k.kid) && k.signing !== undefined);
      const next = ordered.find((k) => k.role === 'next' && !revoked.has(k.kid) && k.signing !== undefined);
      const key = current ?? next;
      if (key === undefined) throw new NoSigningKeyError('tokens: no key is left to sign access tokens (current and next are revoked or verify-only)');
      return key;
    },
    lookup(kid) {
      if (revoked.has(kid)) return { key: undefined, revoked: true };
      return { key: byKid.get(kid), revoked: false };
    },
    revoke(kid) {
      if (typeof kid !== 'string' || !byKid.has(kid)) return false;
      revoked.add(kid);
      return true;
    },
    jwks() {
      const out: JsonWebKey[] = [];
      for (const k of ordered) {
        if (revoked.has(k.kid) || k.verifying.type !== 'public') continue;
        out.push({ ...k.verifying.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' });
      }
      return { keys: out };
    },
  };
}

function normalise(key: AccessKey, role: RingKey['role'], allowed: readonly AccessAlgorithm[]): RingKey {
  const where = `tokens: keys.${role}`;
  if (key === null || typeof key !== 'object') throw new ConfigError(`${where} must be an object { kid, alg, secret | privateKey | publicKey }`);
  if (typeof key.kid !== 'string' || !KID.test(key.kid)) throw new ConfigError(`${where}.kid must be 1-64 characters of letters, digits, '.', '_' or '-'`);
  const alg = key.alg;
  if (typeof alg !== 'string' || !ALL.includes(alg)) {
    throw new ConfigError(`${where}.alg must be one of ${ALL.join(', ')} ("none" is never accepted)`);
  }
  if (!allowed.includes(alg)) throw new ConfigError(`${where}.alg ${alg} is not in the algorithms allowlist (${allowed.join(', ')})`);
  if ((SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
    const secret = key.secret;
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret instanceof Uint8Array ? Buffer.from(secret) : undefined;
    if (bytes === undefined || bytes.length < 32) throw new ConfigError(`${where}.secret must be at least 32 random bytes for ${alg}`);
    if (key.privateKey !== undefined || key.publicKey !== undefined) throw new ConfigError(`${where}: ${alg} takes a secret, not a key pair`);
    const object = createSecretKey(bytes);
    return withCryptoKeys({ kid: key.kid, alg, role, signing: object, verifying: object });
  }
  if (key.secret !== undefined) throw new ConfigError(`${where}: ${alg} takes a key pair (privateKey / publicKey), not a secret`);
  let signing: KeyObject | undefined;
  let verifying: KeyObject;
  try {
    signing = key.privateKey === undefined ? undefined : toPrivate(key.privateKey);
    if (key.publicKey !== undefined) verifying = toPublic(key.publicKey);
    else if (signing !== undefined) verifying = createPublicKey(signing);
    else throw new ConfigError(`${where} needs a privateKey or a publicKey`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${where}: the key could not be read (${(error as Error).message.slice(0, 100)})`);
  }
  checkKeyType(where, alg, verifying);
  return withCryptoKeys({ kid: key.kid, alg, role, signing, verifying });
}

function toPrivate(material: KeyMaterial): KeyObject {
  if (typeof material === 'string') return createPrivateKey(material);
  if (isKeyObject(material)) {
    if (material.type !== 'private') throw new ConfigError('tokens: privateKey is not a private key');
    return material;
  }
  return createPrivateKey({ key: material, format: 'jwk' });
}

function toPublic(material: KeyMaterial): KeyObject {
  if (isKeyObject(material)) return material.type === 'public' ? material : createPublicKey(material);
  if (typeof material === 'string') return createPublicKey(material);
  return createPublicKey({ key: material, format: 'jwk' });
}

function isKeyObject(value: unknown): value is KeyObject {
  return typeof value === 'object' && value !== null && typeof (value as KeyObject).export === 'function' && 'asymmetricKeyType' in value;
}

function checkKeyType(where: string, alg: AccessAlgorithm, key: KeyObject): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const ok =
    alg === 'EdDSA'
      ? type === 'ed25519'
      : alg === 'ES256' || alg === 'ES384'
        ? type === 'ec' && details.namedCurve === CURVE[alg]
        : // Plain 'rsa' keys only, for PS256 too: jose cannot sign with an 'rsa-pss' KeyObject.
          type === 'rsa' && (details.modulusLength ?? 0) >= 2048;
  if (!ok) throw new ConfigError(`${where}: a ${type ?? 'secret'} key does not fit ${alg} (EdDSA: Ed25519; ES256: P-256; ES384: P-384; RS256/PS256: an 'rsa' key of >= 2048 bits)`);
}
