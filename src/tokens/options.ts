/** `createTokens` options: validation (ConfigError with the fix) and defaults. */
import { ConfigError } from '../core/errors.ts';
import { parseDuration, type Duration } from '../core/duration.ts';
import { createKeyring } from '../core/keyring.ts';
import type { Logger } from '../core/logger.ts';
import { ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS, type AccessAlgorithm, type AccessKeys } from './access-keys.ts';
import type { TokenStore } from './store.ts';

export interface TokensOptions {
  /**
   * Required. Secrets for the refresh-token MACs, and for HS256 access tokens when `keys` is
   * absent. The first one is used for new tokens, every one verifies (rotation: put the new one
   * first, keep the old ones until their refresh tokens are gone). `npx holdfast keygen` makes one.
   */
  secrets: string | string[];
  /** Access-token keys (next / current / retiring) when they are not derived from `secrets`, e.g. EdDSA key pairs. */
  keys?: AccessKeys;
  /** Accepted access-token algorithms. Default ['HS256'] without `keys`, ['EdDSA', 'ES256'] with. */
  algorithms?: AccessAlgorithm[];
  /** Where refresh-token families live (MemoryTokenStore, SqliteTokenStore, RedisTokenStore, ...). */
  store: TokenStore;
  /** The `aud` of every access token, and the only one accepted. */
  audience: string;
  /** The `iss` of every access token (and then required on verification). */
  issuer?: string;
  /** JWT `typ` header. Default 'at+jwt' (RFC 9068). */
  typ?: string;
  /** Access-token lifetime. Default '5m'. */
  accessTtl?: Duration;
  /** A family dies after this long without a refresh. Default '30d'. */
  refreshIdle?: Duration;
  /** A family dies this long after login, however active. Default '90d'. */
  refreshAbsolute?: Duration;
  /** How long the previous refresh token still gets the same successor (racing tabs). Default '10s'; 0 turns it off. */
  reuseGrace?: Duration;
  /**
   * Whether `verifyAccess` asks the store that the token's family is still live (one read per
   * call). Default true: logout and revocation take effect at once. false makes verification
   * purely stateless (no store access), and a revoked family's access tokens are then accepted
   * until they expire (at most `accessTtl`). Per call: `verifyAccess(token, { checkFamily })`.
   */
  checkFamily?: boolean;
  /** Largest JSON of the claims passed to `issue`, in bytes. Default 4096. */
  maxClaimsBytes?: number;
  /** Clock in ms since the epoch (tests pass a frozen one). Default Date.now. */
  clock?: () => number;
  logger?: Logger;
}

export interface ResolvedTokensOptions {
  secrets: string[];
  keys: AccessKeys | undefined;
  algorithms: AccessAlgorithm[];
  store: TokenStore;
  audience: string;
  issuer: string | undefined;
  typ: string;
  accessTtlMs: number;
  refreshIdleMs: number;
  refreshAbsoluteMs: number;
  reuseGraceMs: number;
  checkFamily: boolean;
  maxClaimsBytes: number;
  clock: () => number;
  logger: Logger | undefined;
}

const KNOWN = new Set([
  'secrets', 'keys', 'algorithms', 'store', 'audience', 'issuer', 'typ', 'accessTtl', 'refreshIdle',
  'refreshAbsolute', 'reuseGrace', 'checkFamily', 'maxClaimsBytes', 'clock', 'logger',
]);
const STORE_METHODS = ['create', 'get', 'rotate', 'revoke', 'revokeUser', 'listByUser'] as const;

export function resolveTokensOptions(options: TokensOptions): ResolvedTokensOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('createTokens needs an options object: { secrets, store, audience }');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new ConfigError(`createTokens: unknown option "${name}" (known: ${[...KNOWN].join(', ')})`);
  }
  createKeyring(options.secrets, process.env.NODE_ENV === 'production'); // the same rules as session secrets
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : [...options.secrets];
  const store = options.store;
  if (store === null || typeof store !== 'object' || !STORE_METHODS.every((m) => typeof (store as unknown as Record<string, unknown>)[m] === 'function')) {
    throw new ConfigError(`createTokens: "store" must be a TokenStore (${STORE_METHODS.join(', ')}), e.g. new SqliteTokenStore({ path }) from holdfast/stores/sqlite`);
  }
  const text = (name: string, value: unknown, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '' || value.length > 512) throw new ConfigError(`createTokens: "${name}" must be a non-empty string`);
    return value;
  };
  const audience = text('audience', options.audience, true) as string;
  const algorithms = options.algorithms ?? (options.keys === undefined ? ['HS256'] : ['EdDSA', 'ES256']);
  const known: readonly string[] = [...SYMMETRIC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((a) => known.includes(a))) {
    throw new ConfigError(`createTokens: "algorithms" must be a non-empty list of ${known.join(', ')} ("none" is never accepted)`);
  }
  if (options.keys === undefined && !algorithms.includes('HS256')) {
    throw new ConfigError('createTokens: without "keys", access tokens are HS256 from "secrets"; add HS256 to "algorithms" or pass "keys"');
  }
  const accessTtlMs = parseDuration('accessTtl', options.accessTtl ?? '5m');
  const refreshIdleMs = parseDuration('refreshIdle', options.refreshIdle ?? '30d');
  const refreshAbsoluteMs = parseDuration('refreshAbsolute', options.refreshAbsolute ?? '90d');
  const reuseGraceMs = options.reuseGrace === 0 ? 0 : parseDuration('reuseGrace', options.reuseGrace ?? '10s');
  if (refreshIdleMs > refreshAbsoluteMs) throw new ConfigError('createTokens: refreshIdle cannot be longer than refreshAbsolute');
  if (accessTtlMs >= refreshIdleMs) throw new ConfigError('createTokens: accessTtl must be shorter than refreshIdle');
  if (reuseGraceMs > 60_000) throw new ConfigError('createTokens: reuseGrace above 60s makes a stolen refresh token usable alongside the real one for too long; keep it at seconds');
  const maxClaimsBytes = options.maxClaimsBytes ?? 4096;
  if (!Number.isSafeInteger(maxClaimsBytes) || maxClaimsBytes < 2) throw new ConfigError('createTokens: maxClaimsBytes must be a positive integer');
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new ConfigError('createTokens: "clock" must be a function returning ms since the epoch');
  if (options.checkFamily !== undefined && typeof options.checkFamily !== 'boolean') throw new ConfigError('createTokens: "checkFamily" must be true or false');
  return {
    secrets,
    keys: options.keys,
    algorithms: [...algorithms],
    store,
    audience,
    issuer: text('issuer', options.issuer, false),
    typ: text('typ', options.typ ?? 'at+jwt', true) as string,
    accessTtlMs,
    refreshIdleMs,
    refreshAbsoluteMs,
    reuseGraceMs,
    checkFamily: options.checkFamily ?? true,
    maxClaimsBytes,
    clock: options.clock ?? Date.now,
    logger: options.logger,
  };
}
