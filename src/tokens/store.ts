/**
 * What a token store keeps: one record per refresh-token family, filed under the family's
 * handle. A handle is a truncated SHA-256 of the family's secret ID, so it is not a secret and
 * cannot be turned back into a token: stores, logs and access tokens (`sid`) carry it; no store
 * ever sees a refresh token or the family ID it is built on.
 *
 * The one operation that must be atomic is `rotate`: a compare-and-swap of the generation
 * counter (`gen = fromGen` and not revoked → `gen + 1`). Every implementation does it in one
 * step of the server (SQL `UPDATE … WHERE handle = ? AND gen = ? AND revoked_at IS NULL`, one
 * Redis Lua script, a synchronous read-modify-write in process), so of N concurrent refreshes
 * with one token exactly one moves the family on.
 */

/** Milliseconds since the epoch. */
export type EpochMs = number;

export interface TokenFamily {
  /** Store key and public name of the family (22 base64url characters). */
  handle: string;
  userId: string;
  /** Generation of the refresh token that is current now; starts at 0, +1 per rotation. */
  gen: number;
  createdAt: EpochMs;
  /** Last successful issue or rotation: the idle lifetime runs from here. */
  usedAt: EpochMs;
  /** Absolute end of the family (createdAt + refreshAbsolute); stores may drop it after this. */
  expiresAt: EpochMs;
  /** When `gen` last moved (the start of the reuse-grace window), null before the first rotation. */
  rotatedAt: EpochMs | null;
  /** Set once, when the family is revoked (logout, revoke, reuse detected); then never live again. */
  revokedAt: EpochMs | null;
  /** Extra access-token claims as JSON text (an object), carried from issue to every refresh. */
  claims: string;
}

export interface TokenStore {
  /** File a new family. The handle is fresh (random); overwriting is allowed. */
  create(family: TokenFamily): Promise<void>;
  /** The family, revoked or not, or null when unknown (or dropped after its expiry). */
  get(handle: string): Promise<TokenFamily | null>;
  /**
   * Atomically: when the family exists, is not revoked and its gen is `fromGen`, set gen to
   * `fromGen + 1` and rotatedAt = usedAt = `at`, and return true. Otherwise change nothing and
   * return false.
   */
  rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean>;
  /** Mark the family revoked at `at` (kept until its expiry, so its tokens stay refused). True when it was live. */
  revoke(handle: string, at: EpochMs): Promise<boolean>;
  /** Revoke every live family of the user; returns how many were live. */
  revokeUser(userId: string, at: EpochMs): Promise<number>;
  /** The user's families that are not revoked (expired ones may be included; the engine filters). */
  listByUser(userId: string): Promise<TokenFamily[]>;
  /** Delete families whose expiresAt is at or before `now`. Optional (Redis expires keys itself). */
  sweep?(now: EpochMs): Promise<number>;
  /** Stop timers; never closes a client or pool the caller owns. */
  close?(): Promise<void>;
}

/** Whether a value read back from a store is a well-formed family (stores check before returning). */
export function isTokenFamily(value: unknown): value is TokenFamily {
  if (value === null || typeof value !== 'object') return false;
  const f = value as Record<string, unknown>;
  const time = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const timeOrNull = (v: unknown): boolean => v === null || time(v);
  return (
    typeof f.handle === 'string' &&
    typeof f.userId === 'string' &&
    Number.isSafeInteger(f.gen) &&
    (f.gen as number) >= 0 &&
    time(f.createdAt) &&
    time(f.usedAt) &&
    time(f.expiresAt) &&
    timeOrNull(f.rotatedAt) &&
    timeOrNull(f.revokedAt) &&
    typeof f.claims === 'string'
  );
}
