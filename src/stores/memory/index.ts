/**
 * A bounded in-process store for development and tests. Least-recently-used records are evicted
 * past `maxSessions`; expired records are swept on an interval. Refused under
 * NODE_ENV=production unless `allowInProduction: true` (it forgets everything on restart and is
 * not shared between processes).
 */
import { checkedReadsOf, RECORDS_CHECKED, type CheckedReads } from '../../core/checked-records.ts';
import { ConfigError } from '../../core/errors.ts';
import { applyDataPatch, assertDataBytes, dataEntryBytes, DEFAULT_MAX_RECORD_BYTES, encodedDataBytes, isCheckedMeta, toNullProto } from '../../core/record-codec.ts';
import type {
  EpochMs,
  SessionPatch,
  SessionRecord,
  SessionStore,
  TouchMeta,
  UserSessionEntry,
} from '../../core/store.ts';

export interface MemoryStoreOptions {
  /** Most records kept; the least recently used is evicted beyond it. Default 10,000. */
  maxSessions?: number;
  /** Allow use when NODE_ENV=production. Default false. */
  allowInProduction?: boolean;
  /** Largest record accepted, in bytes. Default 1 MiB. */
  maxRecordBytes?: number;
  /** How often expired records are swept, in ms (0 disables). Default 60,000. */
  sweepInterval?: number;
}

/** A record as held: its data's size is kept so a patch is checked against the limit per key. */
interface Held extends SessionRecord {
  bytes: number;
}

export class MemoryStore implements SessionStore {
  /** Writes are checked on the way in, so every record held is in shape (see checked-records.ts). */
  readonly [RECORDS_CHECKED]: CheckedReads = checkedReadsOf(MemoryStore.prototype);
  readonly #records = new Map<string, Held>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #maxSessions: number;
  readonly #maxRecordBytes: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxSessions = 10_000, allowInProduction = false, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES, sweepInterval = 60_000 } = options;
    if (process.env.NODE_ENV === 'production' && !allowInProduction) {
      throw new ConfigError(
        'MemoryStore is not for production: it loses every session on restart and is not shared between processes. ' +
          'Use SqliteStore (holdfast/stores/sqlite) or a shared store, or pass { allowInProduction: true } if you really mean it.',
      );
    }
    if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new ConfigError('MemoryStore maxSessions must be a positive integer');
    if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1) throw new ConfigError('MemoryStore maxRecordBytes must be a positive integer');
    this.#maxSessions = maxSessions;
    this.#maxRecordBytes = maxRecordBytes;
    if (sweepInterval > 0) {
      this.#timer = setInterval(() => void this.sweep(Date.now()), sweepInterval);
      this.#timer.unref();
    }
  }

  /** Number of records held (expired ones not yet swept included). */
  get size(): number {
    return this.#records.size;
  }

  async get(key: string): Promise<SessionRecord | null> {
    const record = this.getSync(key);
    return record === null ? null : { meta: { ...record.meta }, data: toNullProto(record.data) };
  }

  /**
   * The engine's synchronous read: the record as held, no copy. Safe because this store never
   * edits a record's `meta` or `data` after storing them; writes put new objects in their place.
   */
  getSync(key: string): SessionRecord | null {
    const record = this.#records.get(key);
    if (record === undefined) return null;
    // Refresh LRU position.
    this.#records.delete(key);
    this.#records.set(key, record);
    return { meta: record.meta, data: record.data };
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertMeta(record.meta, 'set');
    assertText(record.data, 'set');
    const bytes = encodedDataBytes(record.data);
    assertDataBytes(bytes, this.#maxRecordBytes);
    this.#remove(key);
    this.#records.set(key, { meta: { ...record.meta }, data: toNullProto(record.data), bytes });
    this.#index(key, record.meta.userId);
    while (this.#records.size > this.#maxSessions) {
      const oldest = this.#records.keys().next().value as string;
      this.#remove(oldest);
    }
  }

  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    return this.patchSync(key, patch);
  }

  /** `patch`, synchronously (the engine's commit path). */
  patchSync(key: string, patch: SessionPatch): boolean {
    if (patch.meta !== undefined) assertMeta(patch.meta, 'patch');
    const set: Record<string, unknown> = patch.set;
    if (set === null || typeof set !== 'object') throw new TypeError('MemoryStore.patch: session data must be an object of JSON texts');
    const record = this.#records.get(key);
    if (record === undefined) return false;
    const old = record.data;
    let bytes = record.bytes;
    for (const name of patch.unset) if (name in old) bytes -= dataEntryBytes(name, old[name] as string);
    for (const name of Object.keys(set)) {
      const text = set[name];
      if (typeof text !== 'string') throw notText(name, 'patch');
      if (name in old && !patch.unset.includes(name)) bytes -= dataEntryBytes(name, old[name] as string);
      bytes += dataEntryBytes(name, text);
    }
    assertDataBytes(bytes, this.#maxRecordBytes);
    // A new map, never an edit: getSync hands out the old one.
    const data = toNullProto(old);
    applyDataPatch(data, patch.set, patch.unset);
    const meta = patch.meta;
    if (meta !== undefined) {
      if (record.meta.userId !== meta.userId) {
        this.#unindex(key, record.meta.userId);
        this.#index(key, meta.userId);
      }
      record.meta = { ...meta };
    }
    record.data = data;
    record.bytes = bytes;
    return true;
  }

  async touch(key: string, meta: TouchMeta): Promise<boolean> {
    return this.touchSync(key, meta);
  }

  /** `touch`, synchronously (the engine's commit path). */
  touchSync(key: string, meta: TouchMeta): boolean {
    const record = this.#records.get(key);
    if (record === undefined) return false;
    const touched = { ...record.meta, touchedAt: meta.touchedAt, expiresAt: meta.expiresAt };
    assertMeta(touched, 'touch');
    record.meta = touched;
    return true;
  }

  async destroy(key: string): Promise<void> {
    this.#remove(key);
  }

  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    const keys = this.#byUser.get(userId);
    if (keys === undefined) return [];
    const out: UserSessionEntry[] = [];
    for (const key of keys) {
      const record = this.#records.get(key);
      if (record !== undefined) out.push({ key, meta: { ...record.meta } });
    }
    return out;
  }

  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    const keys = this.#byUser.get(userId);
    if (keys === undefined) return 0;
    let removed = 0;
    for (const key of [...keys]) {
      if (key === exceptKey) continue;
      this.#remove(key);
      removed++;
    }
    return removed;
  }

  async sweep(now: EpochMs): Promise<number> {
    let removed = 0;
    for (const [key, record] of this.#records) {
      if (record.meta.expiresAt <= now) {
        this.#remove(key);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #remove(key: string): void {
    const record = this.#records.get(key);
    if (record === undefined) return;
    this.#records.delete(key);
    this.#unindex(key, record.meta.userId);
  }

  #index(key: string, userId: string | null): void {
    if (userId === null) return;
    let keys = this.#byUser.get(userId);
    if (keys === undefined) this.#byUser.set(userId, (keys = new Set()));
    keys.add(key);
  }

  #unindex(key: string, userId: string | null): void {
    if (userId === null) return;
    const keys = this.#byUser.get(userId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.#byUser.delete(userId);
  }
}

/** Refuse metadata the engine could not have written (the store hands records out unchecked). */
function assertMeta(meta: unknown, op: string): void {
  if (!isCheckedMeta(meta)) {
    throw new TypeError(`MemoryStore.${op}: malformed session metadata (times must be non-negative finite numbers, the other fields strings or null)`);
  }
}

/** Refuse data values that are not JSON text. */
function assertText(data: Record<string, unknown>, op: string): void {
  if (data === null || typeof data !== 'object') throw new TypeError(`MemoryStore.${op}: session data must be an object of JSON texts`);
  for (const name of Object.keys(data)) if (typeof data[name] !== 'string') throw notText(name, op);
}

function notText(name: string, op: string): TypeError {
  return new TypeError(`MemoryStore.${op}: session data value for ${JSON.stringify(name)} is not JSON text`);
}
export { MemoryTokenStore, type MemoryTokenStoreOptions } from './token-store.ts';
