/**
 * `createTokens(options)`: token mode for APIs and mobile apps. Short-lived access JWTs, and
 * rotating one-time refresh tokens grouped in families (one family per login):
 *
 * - issue(userId) starts a family at generation 0 and returns both tokens.
 * - refresh(token) verifies the token's MAC (never issued → refused, family untouched), reads the
 *   family, and moves it from gen g to g + 1 with the store's compare-and-swap. Of N concurrent
 *   refreshes with one token exactly one swap succeeds; the others re-read, see gen g + 1 moved
 *   moments ago, and — grace rule — get the SAME successor (it is derived, not stored).
 * - A token of generation g - 1 after `reuseGrace`, or of any older generation, is reuse: the
 *   family (that family only) is revoked, and `token-reuse` is emitted. A revoked family's access
 *   tokens are refused too (`checkFamily`).
 *
 * Refusals return null plus an event; misconfiguration throws ConfigError at construction; a
 * store failure rejects with the store's StoreError.
 */
import type { JsonWebKey } from 'node:crypto';
import { createAccessKeyRing, keysFromSecrets, type AccessKeyRing } from './access-keys.ts';
import { customClaims, signAccessToken, verifyAccessToken, type AccessSettings } from './access-token.ts';
import { decodeClaims, encodeClaims } from './claims.ts';
import { TokenEvents, type TokenEventBase, type TokenEventMap, type TokenEventName, type TokenListener } from './events.ts';
import { resolveTokensOptions, type ResolvedTokensOptions, type TokensOptions } from './options.ts';
import { createRefreshKeys, FAMILY_HANDLE_LENGTH, handleOfFamily, newFamilyId, type RefreshKeys } from './refresh-token.ts';
import type { TokenFamily, TokenStore } from './store.ts';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires (OAuth's `expires_in`). */
  expiresIn: number;
  /** The family's handle: the access token's `sid`, what listFamilies / revokeFamily / events name. */
  familyHandle: string;
}

export interface VerifiedAccessToken {
  userId: string;
  familyHandle: string;
  /** The application's claims (those passed to `issue`), registered claims removed. */
  claims: Record<string, unknown>;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
}

export interface FamilyInfo {
  handle: string;
  createdAt: number;
  usedAt: number;
  /** When the family dies if not refreshed before: the earlier of idle and absolute end. */
  expiresAt: number;
  /** Rotations so far. */
  generation: number;
}

export interface Tokens {
  issue(userId: string, options?: { claims?: Record<string, unknown>; ip?: string }): Promise<IssuedTokens>;
  refresh(refreshToken: unknown, options?: { ip?: string }): Promise<IssuedTokens | null>;
  verifyAccess(accessToken: unknown, options?: { ip?: string; checkFamily?: boolean }): Promise<VerifiedAccessToken | null>;
  revokeFamily(handle: string): Promise<boolean>;
  revokeUser(userId: string): Promise<number>;
  listFamilies(userId: string): Promise<FamilyInfo[]>;
  /** Refuse access tokens signed with this kid from now on (this process). True when the kid was known. */
  revokeKid(kid: string): boolean;
  /** Public JWKs of the asymmetric keys that verify (next, current, retiring), for a JWKS endpoint. */
  jwks(): { keys: JsonWebKey[] };
  on<K extends TokenEventName>(type: K, listener: TokenListener<K>): () => void;
  /** Stop using the engine. The store is yours: close it yourself. */
  close(): Promise<void>;
}

const HANDLE = new RegExp(`^[A-Za-z0-9_-]{${FAMILY_HANDLE_LENGTH}}$`);
/** Compare-and-swap attempts per refresh; a lost swap re-reads, which settles on the next round. */
const CAS_ATTEMPTS = 3;

export function createTokens(options: TokensOptions): Tokens {
  const o = resolveTokensOptions(options);
  const ring = createAccessKeyRing(o.keys ?? keysFromSecrets(o.secrets), o.algorithms);
  return new TokenEngine(o, ring, createRefreshKeys(o.secrets));
}

type Liveness = 'live' | 'revoked' | 'idle' | 'absolute';

class TokenEngine implements Tokens {
  readonly #o: ResolvedTokensOptions;
  readonly #store: TokenStore;
  readonly #ring: AccessKeyRing;
  readonly #refresh: RefreshKeys;
  readonly #access: AccessSettings;
  readonly #events: TokenEvents;

  constructor(o: ResolvedTokensOptions, ring: AccessKeyRing, refresh: RefreshKeys) {
    this.#o = o;
    this.#store = o.store;
    this.#ring = ring;
    this.#refresh = refresh;
    this.#access = { ring, audience: o.audience, issuer: o.issuer, typ: o.typ };
    this.#events = new TokenEvents(o.logger);
  }

  async issue(userId: string, options: { claims?: Record<string, unknown>; ip?: string } = {}): Promise<IssuedTokens> {
    if (typeof userId !== 'string' || userId === '' || userId.length > 256) {
      throw new TypeError('issue(userId): userId must be a non-empty string of at most 256 characters');
    }
    const claims = encodeClaims(options.claims, this.#o.maxClaimsBytes);
    this.#ring.signer(); // fail before writing anything when no key can sign
    const now = this.#o.clock();
    const familyId = newFamilyId();
    const family: TokenFamily = {
      handle: handleOfFamily(familyId),
      userId,
      gen: 0,
      createdAt: now,
      usedAt: now,
      expiresAt: now + this.#o.refreshAbsoluteMs,
      rotatedAt: null,
      revokedAt: null,
      claims,
    };
    await this.#store.create(family);
    const issued = await this.#tokens(family, familyId, 0, now);
    this.#emit('issued', { ...this.#base(now, options.ip, family) });
    return issued;
  }

  async refresh(refreshToken: unknown, options: { ip?: string } = {}): Promise<IssuedTokens | null> {
    const ip = options.ip;
    const parsed = this.#refresh.open(refreshToken);
    const now = this.#o.clock();
    if (parsed === null) {
      this.#emit('rejected', { ...this.#base(now, ip), reason: 'malformed', token: 'refresh' });
      return null;
    }
    this.#ring.signer(); // no key left to sign: fail before the family moves on
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const family = await this.#store.get(parsed.handle);
      if (family === null || family.handle !== parsed.handle) {
        this.#emit('rejected', { ...this.#base(now, ip, undefined, parsed.handle), reason: 'unknown-family', token: 'refresh' });
        return null;
      }
      const state = this.#liveness(family, now);
      if (state !== 'live') return this.#refuseDead(family, state, now, ip, 'refresh');
      if (parsed.gen === family.gen) {
        if (await this.#store.rotate(family.handle, family.gen, now)) {
          const next = { ...family, gen: family.gen + 1, usedAt: now, rotatedAt: now };
          this.#emit('refreshed', { ...this.#base(now, ip, family), gen: next.gen, grace: false });
          return this.#tokens(next, parsed.familyId, next.gen, now);
        }
        continue; // another request rotated (or revoked) it just now: read again
      }
      const graceOk =
        this.#o.reuseGraceMs > 0 &&
        parsed.gen === family.gen - 1 &&
        family.rotatedAt !== null &&
        // Not "now >= rotatedAt": a racing request read its clock before the winner did, and
        // another instance's clock may run a little ahead. Either is inside the window.
        now - family.rotatedAt <= this.#o.reuseGraceMs;
      if (graceOk) {
        this.#emit('refreshed', { ...this.#base(now, ip, family), gen: family.gen, grace: true });
        return this.#tokens(family, parsed.familyId, family.gen, now);
      }
      // An issued token of another generation: replayed (stolen, or a client that lost track).
      await this.#store.revoke(family.handle, now);
      const reason = parsed.gen === family.gen - 1 ? 'grace-expired' : 'replay';
      this.#emit('token-reuse', { ...this.#base(now, ip, family), reason, gen: parsed.gen, currentGen: family.gen });
      this.#emit('revoked', { ...this.#base(now, ip, family), reason: 'reuse' });
      return null;
    }
    return null;
  }

  async verifyAccess(accessToken: unknown, options: { ip?: string; checkFamily?: boolean } = {}): Promise<VerifiedAccessToken | null> {
    const now = this.#o.clock();
    const result = await verifyAccessToken(this.#access, accessToken, now);
    if (!result.ok) {
      this.#emit('rejected', { ...this.#base(now, options.ip), reason: result.reason, token: 'access' });
      return null;
    }
    if (options.checkFamily ?? this.#o.checkFamily) {
      const family = await this.#store.get(result.handle);
      if (family === null || family.handle !== result.handle || family.userId !== result.userId) {
        this.#emit('rejected', { ...this.#base(now, options.ip, undefined, result.handle), reason: 'unknown-family', token: 'access' });
        return null;
      }
      const state = this.#liveness(family, now);
      if (state !== 'live') return this.#refuseDead(family, state, now, options.ip, 'access');
    }
    return { userId: result.userId, familyHandle: result.handle, claims: customClaims(result.payload), expiresAt: result.exp * 1000 };
  }

  async revokeFamily(handle: string): Promise<boolean> {
    if (typeof handle !== 'string' || !HANDLE.test(handle)) return false;
    const now = this.#o.clock();
    const family = this.#events.wants('revoked') ? await this.#store.get(handle) : null;
    const revoked = await this.#store.revoke(handle, now);
    if (revoked) this.#emit('revoked', { ...this.#base(now, undefined, family ?? undefined, handle), reason: 'revoke' });
    return revoked;
  }

  async revokeUser(userId: string): Promise<number> {
    if (typeof userId !== 'string' || userId === '') return 0;
    const now = this.#o.clock();
    const count = await this.#store.revokeUser(userId, now);
    if (count > 0) this.#emit('revoked', { time: now, ip: undefined, userId, handle: undefined, reason: 'revoke-user' });
    return count;
  }

  async listFamilies(userId: string): Promise<FamilyInfo[]> {
    if (typeof userId !== 'string' || userId === '') return [];
    const now = this.#o.clock();
    const families = await this.#store.listByUser(userId);
    return families
      .filter((f) => f.userId === userId && this.#liveness(f, now) === 'live')
      .map((f) => ({ handle: f.handle, createdAt: f.createdAt, usedAt: f.usedAt, expiresAt: this.#endOf(f), generation: f.gen }))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  revokeKid(kid: string): boolean {
    return this.#ring.revoke(kid);
  }

  jwks(): { keys: JsonWebKey[] } {
    return this.#ring.jwks();
  }

  on<K extends TokenEventName>(type: K, listener: TokenListener<K>): () => void {
    return this.#events.on(type, listener);
  }

  async close(): Promise<void> {
    // Nothing of our own to release: no timers, and the store belongs to the caller.
  }

  #endOf(f: TokenFamily): number {
    return Math.min(f.expiresAt, f.usedAt + this.#o.refreshIdleMs);
  }

  #liveness(f: TokenFamily, now: number): Liveness {
    if (f.revokedAt !== null) return 'revoked';
    if (now >= f.expiresAt) return 'absolute';
    if (now >= f.usedAt + this.#o.refreshIdleMs) return 'idle';
    return 'live';
  }

  #refuseDead(f: TokenFamily, state: Exclude<Liveness, 'live'>, now: number, ip: string | undefined, token: 'access' | 'refresh'): null {
    if (state === 'revoked') this.#emit('rejected', { ...this.#base(now, ip, f), reason: 'revoked-family', token });
    else if (token === 'refresh') this.#emit('expired', { ...this.#base(now, ip, f), reason: state });
    else this.#emit('rejected', { ...this.#base(now, ip, f), reason: 'expired', token });
    return null;
  }

  async #tokens(family: TokenFamily, familyId: string, gen: number, now: number): Promise<IssuedTokens> {
    const iat = Math.floor(now / 1000);
    // The access token never outlives its family.
    const end = Math.min(now + this.#o.accessTtlMs, this.#endOf(family));
    const exp = Math.max(iat + 1, Math.floor(end / 1000));
    const accessToken = await signAccessToken(this.#access, { userId: family.userId, handle: family.handle, claims: decodeClaims(family.claims), iat, exp });
    return { accessToken, refreshToken: this.#refresh.mint(familyId, gen), expiresIn: exp - iat, familyHandle: family.handle };
  }

  #base(time: number, ip: string | undefined, family?: TokenFamily, handle?: string): TokenEventBase {
    return { time, ip, userId: family?.userId ?? null, handle: family?.handle ?? handle };
  }

  #emit<K extends TokenEventName>(type: K, event: TokenEventMap[K]): void {
    this.#events.emit(type, event);
  }
}
