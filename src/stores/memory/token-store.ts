/**
 * Token families in process memory, for development and tests: bounded (least recently used
 * family evicted past `maxFamilies`), refused under NODE_ENV=production unless allowed. Every
 * operation is synchronous inside, so `rotate` is a compare-and-swap by construction.
 */
import { ConfigError } from '../../core/errors.ts';
import type { EpochMs, TokenFamily, TokenStore } from '../../tokens/store.ts';

export interface MemoryTokenStoreOptions {
  /** Most families kept. Default 10,000. */
  maxFamilies?: number;
  /** Allow use when NODE_ENV=production. Default false. */
  allowInProduction?: boolean;
}

export class MemoryTokenStore implements TokenStore {
  readonly #families = new Map<string, TokenFamily>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #max: number;

  constructor(options: MemoryTokenStoreOptions = {}) {
    const { maxFamilies = 10_000, allowInProduction = false } = options;
    if (process.env.NODE_ENV === 'production' && !allowInProduction) {
      throw new ConfigError(
        'MemoryTokenStore is not for production: every login is lost on restart and it is not shared between processes. ' +
          'Use SqliteTokenStore, RedisTokenStore, PostgresTokenStore or MysqlTokenStore, or pass { allowInProduction: true }.',
      );
    }
    if (!Number.isSafeInteger(maxFamilies) || maxFamilies < 1) throw new ConfigError('MemoryTokenStore maxFamilies must be a positive integer');
    this.#max = maxFamilies;
  }

  async create(family: TokenFamily): Promise<void> {
    this.#remove(family.handle);
    this.#families.set(family.handle, { ...family });
    let set = this.#byUser.get(family.userId);
    if (set === undefined) this.#byUser.set(family.userId, (set = new Set()));
    set.add(family.handle);
    while (this.#families.size > this.#max) this.#remove(this.#families.keys().next().value as string);
  }

  async get(handle: string): Promise<TokenFamily | null> {
    const family = this.#families.get(handle);
    return family === undefined ? null : { ...family };
  }

  async rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean> {
    const family = this.#families.get(handle);
    if (family === undefined || family.revokedAt !== null || family.gen !== fromGen) return false;
    family.gen = fromGen + 1;
    family.rotatedAt = at;
    family.usedAt = at;
    // Most recently used last: eviction takes the oldest.
    this.#families.delete(handle);
    this.#families.set(handle, family);
    return true;
  }

  async revoke(handle: string, at: EpochMs): Promise<boolean> {
    const family = this.#families.get(handle);
    if (family === undefined || family.revokedAt !== null) return false;
    family.revokedAt = at;
    return true;
  }

  async revokeUser(userId: string, at: EpochMs): Promise<number> {
    let count = 0;
    for (const handle of this.#byUser.get(userId) ?? []) {
      const family = this.#families.get(handle);
      if (family !== undefined && family.revokedAt === null) {
        family.revokedAt = at;
        count++;
      }
    }
    return count;
  }

  async listByUser(userId: string): Promise<TokenFamily[]> {
    const out: TokenFamily[] = [];
    for (const handle of this.#byUser.get(userId) ?? []) {
      const family = this.#families.get(handle);
      if (family !== undefined && family.revokedAt === null) out.push({ ...family });
    }
    return out;
  }

  async sweep(now: EpochMs): Promise<number> {
    let removed = 0;
    for (const [handle, family] of this.#families) {
      if (family.expiresAt <= now) {
        this.#remove(handle);
        removed++;
      }
    }
    return removed;
  }

  /** Families held (tests, diagnostics). */
  get size(): number {
    return this.#families.size;
  }

  #remove(handle: string): void {
    const family = this.#families.get(handle);
    if (family === undefined) return;
    this.#families.delete(handle);
    const set = this.#byUser.get(family.userId);
    set?.delete(handle);
    if (set?.size === 0) this.#byUser.delete(family.userId);
  }
}
