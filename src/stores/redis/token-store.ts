/**
 * Token families in Redis (standalone, Sentinel, Cluster) through the ioredis or node-redis
 * client you created (see ./client.ts). Keys:
 * - `${prefix}{tf:<handle>}`  one hash per family. Everything of one family is this one key, so
 *   it lives in one Cluster slot (the braces are the hash tag) and every operation on a family is
 *   one single-key Lua script: `rotate` checks gen and revokedAt and HINCRBYs in one atomic step.
 * - `${prefix}{tu:<base64url(userId)>}`  a sorted set per user: member = handle, score = the
 *   family's expiresAt; pruned of expired members on each add, expiring with its furthest member.
 * Families expire natively (PEXPIREAT = expiresAt). Fields: userId, gen, createdAt, usedAt,
 * expiresAt, rotatedAt / revokedAt (absent = null), claims. The client is yours to close.
 */
import { ConfigError } from '../../core/errors.ts';
import { isTokenFamily, type EpochMs, type TokenFamily, type TokenStore } from '../../tokens/store.ts';
import { linkFor, runScript, script, storeFailure, type RedisLink, type Script } from './client.ts';
import { hashFields, textOrUndefined } from './layout.ts';

export interface RedisTokenStoreOptions {
  /** An ioredis Redis/Cluster or node-redis v5 client/cluster/sentinel you created and connected. */
  client: unknown;
  /** Prepended to every key. Default 'hf:'. */
  prefix?: string;
}

const CREATE = script(
  'token-create',
  `redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`,
);

const ROTATE = script(
  'token-rotate',
  `local v = redis.call('HMGET', KEYS[1], 'gen', 'revokedAt')
if not v[1] or v[2] or v[1] ~= ARGV[1] then return 0 end
redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'rotatedAt', ARGV[2], 'usedAt', ARGV[2])
return 1`,
);

const REVOKE = script(
  'token-revoke',
  `local v = redis.call('HMGET', KEYS[1], 'gen', 'revokedAt', 'userId')
if not v[1] or v[2] then return 0 end
if ARGV[2] ~= '' and v[3] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1])
return 1`,
);

const INDEX_ADD = script(
  'token-index-add',
  `redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 1`,
);

export class RedisTokenStore implements TokenStore {
  readonly #link: RedisLink;
  readonly #prefix: string;

  constructor(options: RedisTokenStoreOptions) {
    const { client, prefix = 'hf:' } = options ?? ({} as RedisTokenStoreOptions);
    if (typeof prefix !== 'string') throw new ConfigError('RedisTokenStore prefix must be a string');
    this.#link = linkFor(client);
    this.#prefix = prefix;
  }

  async create(f: TokenFamily): Promise<void> {
    const fields = ['userId', f.userId, 'gen', String(f.gen), 'createdAt', String(f.createdAt), 'usedAt', String(f.usedAt)];
    fields.push('expiresAt', String(f.expiresAt), 'claims', f.claims);
    if (f.rotatedAt !== null) fields.push('rotatedAt', String(f.rotatedAt));
    if (f.revokedAt !== null) fields.push('revokedAt', String(f.revokedAt));
    // Two keys in two slots: two commands, sent together (a listing that sees the index entry
    // before the hash just skips it).
    await Promise.all([
      this.#script('create', CREATE, this.#familyKey(f.handle), [String(f.expiresAt), ...fields]),
      this.#script('create', INDEX_ADD, this.#userKey(f.userId), [f.handle, String(f.expiresAt), String(Date.now())]),
    ]);
  }

  async get(handle: string): Promise<TokenFamily | null> {
    const key = this.#familyKey(handle);
    let reply: unknown;
    try {
      reply = await this.#link.send(key, ['HGETALL', key]);
    } catch (error) {
      throw storeFailure('token get', error);
    }
    return this.#decode(handle, hashFields(reply));
  }

  async rotate(handle: string, fromGen: number, at: EpochMs): Promise<boolean> {
    return Number(await this.#script('rotate', ROTATE, this.#familyKey(handle), [String(fromGen), String(at)])) === 1;
  }

  async revoke(handle: string, at: EpochMs): Promise<boolean> {
    return Number(await this.#script('revoke', REVOKE, this.#familyKey(handle), [String(at), ''])) === 1;
  }

  async revokeUser(userId: string, at: EpochMs): Promise<number> {
    const handles = await this.#members(userId);
    // One single-key script per family (a user's families live in many slots); each checks the
    // family still belongs to this user.
    const replies = await Promise.all(handles.map((h) => this.#script('revokeUser', REVOKE, this.#familyKey(h), [String(at), userId])));
    return replies.reduce<number>((n, r) => n + (Number(r) === 1 ? 1 : 0), 0);
  }

  async listByUser(userId: string): Promise<TokenFamily[]> {
    const families = await Promise.all((await this.#members(userId)).map((h) => this.get(h)));
    return families.filter((f): f is TokenFamily => f !== null && f.userId === userId && f.revokedAt === null);
  }

  async #members(userId: string): Promise<string[]> {
    const key = this.#userKey(userId);
    let reply: unknown;
    try {
      reply = await this.#link.send(key, ['ZRANGE', key, '0', '-1']);
    } catch (error) {
      throw storeFailure('token index', error);
    }
    if (!Array.isArray(reply)) throw storeFailure('token index', new Error('unexpected ZRANGE reply'));
    return reply.map((m) => textOrUndefined(m) ?? '');
  }

  #decode(handle: string, fields: string[]): TokenFamily | null {
    if (fields.length === 0) return null;
    const m = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) m.set(fields[i] as string, fields[i + 1] as string);
    const num = (name: string): number => (m.has(name) ? Number(m.get(name)) : NaN);
    const family = {
      handle,
      userId: m.get('userId'),
      gen: num('gen'),
      createdAt: num('createdAt'),
      usedAt: num('usedAt'),
      expiresAt: num('expiresAt'),
      rotatedAt: m.has('rotatedAt') ? num('rotatedAt') : null,
      revokedAt: m.has('revokedAt') ? num('revokedAt') : null,
      claims: m.get('claims'),
    };
    if (!isTokenFamily(family)) throw storeFailure('token get', new Error('a family hash is not well-formed'));
    return family;
  }

  #familyKey(handle: string): string {
    return `${this.#prefix}{tf:${handle}}`;
  }

  #userKey(userId: string): string {
    return `${this.#prefix}{tu:${Buffer.from(userId, 'utf8').toString('base64url')}}`;
  }

  #script(operation: string, s: Script, key: string, args: readonly string[]): Promise<unknown> {
    return runScript(this.#link, s, key, args).catch((error: unknown) => {
      throw storeFailure(`token ${operation}`, error);
    });
  }
}
