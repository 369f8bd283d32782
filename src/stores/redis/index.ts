/**
 * Redis store: standalone, Sentinel and Cluster, through the ioredis or node-redis client the
 * user created (`new RedisStore({ client })`). Layout and field names: layout.ts. Scripts:
 * scripts.ts. Round trips:
 * - get: one HGETALL, no write.
 * - patch: one round trip — the patch script on the session hash and, for a session bound to a
 *   user, the user-index score refresh (ZADD XX: moves an existing member, adds nothing), sent
 *   together (they may live in different cluster slots, so they are two commands, never one
 *   cross-slot script). A second only when the patch binds the record to another user. Inside
 *   Redis the script runs HMGET, one HSTRLEN per changed key and one HSET (plus HDEL for removed
 *   keys and PEXPIREAT when the patch moves the expiry).
 * - touch: one script; a second command (the index refresh) when the session is bound to a user,
 *   because only the record knows its user.
 * - set: one script; then the index refresh for a bound session (after the hash exists, so a
 *   concurrent listing never sees an index entry without its record).
 * - destroy: one script; then the index entry removal for a bound session.
 *
 * The per-user index is self-healing: listings drop members whose record is gone or now belongs
 * to someone else; `destroyByUser` deletes a record only while it is still bound to that user.
 * Records expire natively (PEXPIREAT = expiresAt, on the Redis server's clock), so there is no
 * sweep. `close()` is not provided: the client belongs to the caller.
 */
import { checkedReadsOf, RECORDS_CHECKED, type CheckedReads } from '../../core/checked-records.ts';
import { ConfigError, RecordTooLargeError } from '../../core/errors.ts';
import { assertDataSize, DEFAULT_MAX_RECORD_BYTES, encodedDataBytes } from '../../core/record-codec.ts';
import type { SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../core/store.ts';
import { linkFor, runScript, storeFailure, type RedisClientKind, type RedisLink, type Script } from './client.ts';
import {
  DATA_PREFIX,
  decodeMeta,
  decodeRecord,
  expiryArg,
  F_SIZE,
  F_USER,
  hashFields,
  META_FIELDS,
  metaFields,
  sessionKey,
  textOrUndefined,
  timeArg,
  userKey,
} from './layout.ts';
import { DESTROY, DESTROY_IF_USER, INDEX_ADD, INDEX_LIST, INDEX_PRUNE, PATCH, SET, TOUCH } from './scripts.ts';

export interface RedisStoreOptions {
  /**
   * A client you created and connected: ioredis `new Redis(...)` (Sentinel: `new Redis({ sentinels, name })`),
   * ioredis `new Cluster(...)`, or node-redis v5 `createClient()` / `createCluster()` / `createSentinel()`.
   * The store never closes it. Reads must go to masters (the next request must see the last
   * write): leave ioredis Cluster `scaleReads` at its default 'master'.
   */
  client: unknown;
  /** Prepended to every key. Default 'hf:'. */
  prefix?: string;
  /** Largest record accepted, in bytes as `encodedDataBytes` counts them. Default 1 MiB. */
  maxRecordBytes?: number;
}

/** A script reply as [status, user?]. */
function statusReply(reply: unknown): { status: number; user: string | null } {
  if (!Array.isArray(reply) || reply.length < 1) throw storeFailure('script', new Error('unexpected script reply'));
  const status = Number(reply[0]);
  return { status, user: reply.length > 1 ? (textOrUndefined(reply[1]) ?? null) : null };
}

/** A patch without meta: no meta fields to write or clear. */
const NO_META_FIELDS: { pairs: readonly string[]; absent: readonly string[] } = { pairs: [], absent: [] };
/** The PATCH script's expiry argument that keeps the key's expiry as it is. */
const KEEP_EXPIRY = '';

/** Whether the PATCH script applied the patch (false: no such record). Throws when it was too large. */
function patchApplied(reply: unknown, maxBytes: number): boolean {
  const { status } = statusReply(reply);
  if (status === -1) {
    const size = Array.isArray(reply) ? Number(reply[1]) : NaN;
    throw new RecordTooLargeError(
      `session data would be ${size} bytes, over this store's limit of ${maxBytes} bytes; ` +
        'keep large objects out of the session (store an ID and load the object) or raise maxRecordBytes',
    );
  }
  return status === 1;
}

export class RedisStore implements SessionStore {
  /** Every record returned is built through record-codec's checks (see checked-records.ts). */
  readonly [RECORDS_CHECKED]: CheckedReads = checkedReadsOf(RedisStore.prototype);
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #maxRecordBytes: number;

  constructor(options: RedisStoreOptions) {
    const { client, prefix = 'hf:', maxRecordBytes = DEFAULT_MAX_RECORD_BYTES } = options ?? ({} as RedisStoreOptions);
    if (typeof prefix !== 'string') throw new ConfigError('RedisStore prefix must be a string');
    if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < 1) throw new ConfigError('RedisStore maxRecordBytes must be a positive integer');
    this.#link = linkFor(client);
    this.#prefix = prefix;
    this.#maxRecordBytes = maxRecordBytes;
  }

  /** Which driver and topology the client was detected as. */
  get clientKind(): RedisClientKind {
    return this.#link.kind;
  }

  get(key: string): Promise<SessionRecord | null> {
    const redisKey = sessionKey(this.#prefix, key);
    let sent: Promise<unknown>;
    try {
      sent = this.#link.send(redisKey, ['HGETALL', redisKey]);
    } catch (error) {
      return Promise.reject(storeFailure('get', error));
    }
    return sent.then(
      (reply) => decodeRecord(hashFields(reply)),
      (error: unknown) => {
        throw storeFailure('get', error);
      },
    );
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertDataSize(record.data, this.#maxRecordBytes);
    const { meta, data } = record;
    const { pairs } = metaFields(meta);
    const args = [expiryArg(meta.expiresAt), ...pairs, F_SIZE, String(encodedDataBytes(data))];
    for (const name of Object.keys(data)) args.push(DATA_PREFIX + name, data[name] as string);
    const { user: oldUser } = statusReply(await this.#script('set', SET, sessionKey(this.#prefix, key), args));
    const writes: Promise<unknown>[] = [];
    if (meta.userId !== null) writes.push(this.#indexAdd(meta.userId, key, meta.expiresAt));
    if (oldUser !== null && oldUser !== meta.userId) writes.push(this.#indexRemove(oldUser, key));
    await this.#all('set', writes);
  }

  async patch(key: string, patch: SessionPatch): Promise<boolean> {
    const { set, unset, meta } = patch;
    // Cheap early refusal: the new values alone are already too many bytes.
    assertDataSize(set, this.#maxRecordBytes);
    const { pairs, absent } = meta === undefined ? NO_META_FIELDS : metaFields(meta);
    const setNames = Object.keys(set);
    const expiry = meta === undefined ? KEEP_EXPIRY : expiryArg(meta.expiresAt);
    const args = [String(this.#maxRecordBytes), expiry, String(unset.length), String(setNames.length), String(absent.length)];
    for (const name of unset) args.push(DATA_PREFIX + name);
    for (const name of setNames) args.push(DATA_PREFIX + name, set[name] as string);
    for (const field of absent) args.push(field);
    for (const part of pairs) args.push(part);

    const write = this.#script('patch', PATCH, sessionKey(this.#prefix, key), args);
    // Without meta nothing else moves. With it, sent together with the patch: only moves the score
    // of a member already indexed (XX), so a patch of a missing record adds nothing anywhere.
    if (meta === undefined) return patchApplied(await write, this.#maxRecordBytes);
    const index = meta.userId === null ? undefined : this.#indexAdd(meta.userId, key, meta.expiresAt, 'XX');
    const reply = index === undefined ? await write : (await this.#all('patch', [write, index]))[0];
    if (!patchApplied(reply, this.#maxRecordBytes)) return false;
    const oldUser = statusReply(reply).user;
    if (oldUser !== meta.userId) {
      // The patch moved the record to another user (or bound / unbound it): a second round trip.
      const writes: Promise<unknown>[] = [];
      if (meta.userId !== null) writes.push(this.#indexAdd(meta.userId, key, meta.expiresAt));
      if (oldUser !== null) writes.push(this.#indexRemove(oldUser, key));
      await this.#all('patch', writes);
    }
    return true;
  }

  async touch(key: string, meta: TouchMeta): Promise<boolean> {
    const args = [timeArg(meta.touchedAt, 'touchedAt'), timeArg(meta.expiresAt, 'expiresAt'), expiryArg(meta.expiresAt)];
    const { status, user } = statusReply(await this.#script('touch', TOUCH, sessionKey(this.#prefix, key), args));
    if (status !== 1) return false;
    if (user !== null) await this.#all('touch', [this.#indexAdd(user, key, meta.expiresAt)]);
    return true;
  }

  async destroy(key: string): Promise<void> {
    const { user } = statusReply(await this.#script('destroy', DESTROY, sessionKey(this.#prefix, key), []));
    if (user !== null) await this.#all('destroy', [this.#indexRemove(user, key)]);
  }

  async listByUser(userId: string): Promise<UserSessionEntry[]> {
    const members = await this.#members('listByUser', userId);
    const metas = await this.#all(
      'listByUser',
      members.map(({ key }) => {
        const redisKey = sessionKey(this.#prefix, key);
        return this.#link.send(redisKey, ['HMGET', redisKey, ...META_FIELDS]);
      }),
    );
    const out: UserSessionEntry[] = [];
    const stale: string[] = [];
    members.forEach(({ key, score }, i) => {
      const values = metas[i];
      if (!Array.isArray(values) || values.length !== META_FIELDS.length) throw storeFailure('listByUser', new Error('unexpected HMGET reply'));
      const byField = new Map<string, string | undefined>(META_FIELDS.map((field, j) => [field, textOrUndefined(values[j])]));
      if (values.every((v) => v == null) || byField.get(F_USER) !== userId) {
        stale.push(key, score);
        return;
      }
      out.push({ key, meta: decodeMeta((field) => byField.get(field)) });
    });
    if (stale.length > 0) await this.#script('listByUser', INDEX_PRUNE, userKey(this.#prefix, userId), stale);
    return out;
  }

  async destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    const members = (await this.#members('destroyByUser', userId)).filter(({ key }) => key !== exceptKey);
    if (members.length === 0) return 0;
    // One single-key script per record (records of one user live in many slots).
    const deleted = await this.#all(
      'destroyByUser',
      members.map(({ key }) => runScript(this.#link, DESTROY_IF_USER, sessionKey(this.#prefix, key), [userId])),
    );
    const indexKey = userKey(this.#prefix, userId);
    await this.#all('destroyByUser', [this.#link.send(indexKey, ['ZREM', indexKey, ...members.map(({ key }) => key)])]);
    return deleted.reduce<number>((n, reply) => n + (Number(reply) === 1 ? 1 : 0), 0);
  }

  /** The members of a user's index with their scores (as Redis formats them). */
  async #members(operation: string, userId: string): Promise<{ key: string; score: string }[]> {
    const reply = await this.#script(operation, INDEX_LIST, userKey(this.#prefix, userId), []);
    if (!Array.isArray(reply) || reply.length % 2 !== 0) throw storeFailure(operation, new Error('unexpected index reply'));
    const out: { key: string; score: string }[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      out.push({ key: textOrUndefined(reply[i]) ?? '', score: textOrUndefined(reply[i + 1]) ?? '' });
    }
    return out;
  }

  #indexAdd(userId: string, key: string, expiresAt: number, mode: 'XX' | '' = ''): Promise<unknown> {
    return runScript(this.#link, INDEX_ADD, userKey(this.#prefix, userId), [key, expiryArg(expiresAt), mode]);
  }

  #indexRemove(userId: string, key: string): Promise<unknown> {
    const indexKey = userKey(this.#prefix, userId);
    return this.#link.send(indexKey, ['ZREM', indexKey, key]);
  }

  #script(operation: string, s: Script, redisKey: string, args: readonly string[]): Promise<unknown> {
    return runScript(this.#link, s, redisKey, args).catch((error: unknown) => {
      throw storeFailure(operation, error);
    });
  }

  /** Await commands sent together; the first failure becomes a StoreError (after all settle). */
  async #all(operation: string, pending: (Promise<unknown> | undefined)[]): Promise<unknown[]> {
    const results = await Promise.allSettled(pending);
    const out: unknown[] = [];
    for (const result of results) {
      if (result.status === 'rejected') throw storeFailure(operation, result.reason);
      out.push(result.value);
    }
    return out;
  }
}
export { RedisTokenStore, type RedisTokenStoreOptions } from './token-store.ts';
