/**
 * The tiny interface the Redis store talks through, and the adapters that fit it onto the client
 * the user created: ioredis `Redis` (standalone or Sentinel), ioredis `Cluster`, or a node-redis
 * v5 client, cluster or sentinel. Detection is by duck typing; no driver is imported at runtime.
 *
 * Every command the store sends names exactly one key, and `send` routes it to the master that
 * owns that key (node-redis is told the command is not read-only, so replica reads are never
 * used: the next request must see the previous one's write).
 */
import { createHash } from 'node:crypto';
import { ConfigError, StoreError } from '../../core/errors.ts';

export type RedisClientKind = 'ioredis' | 'ioredis-cluster' | 'node-redis' | 'node-redis-cluster' | 'node-redis-sentinel';

export interface RedisLink {
  readonly kind: RedisClientKind;
  /** Send one command (`args[0]` is its name) whose only key is `key`. Raw reply. */
  send(key: string, args: readonly string[]): Promise<unknown>;
}

/** The parts of the drivers the adapters use (structural, so neither driver is required). */
interface IoredisLike {
  isCluster: boolean;
  call(command: string, args: (string | number | Buffer)[]): Promise<unknown>;
}
interface NodeRedisClientLike {
  isOpen: boolean;
  sendCommand(args: readonly string[], options?: unknown): Promise<unknown>;
}
interface NodeRedisClusterLike {
  masters: unknown;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: readonly string[], options?: unknown): Promise<unknown>;
}
interface NodeRedisSentinelLike {
  getSentinelNode: unknown;
  sendCommand(isReadonly: boolean | undefined, args: readonly string[], options?: unknown): Promise<unknown>;
}

const fn = (value: object, name: string): boolean => typeof (value as Record<string, unknown>)[name] === 'function';

/** Wrap the user's client. Throws ConfigError when it is none of the supported drivers. */
export function linkFor(client: unknown): RedisLink {
  if (client === null || typeof client !== 'object') {
    throw new ConfigError('RedisStore needs { client }: an ioredis Redis/Cluster or a node-redis v5 client/cluster you created');
  }
  const c = client as Record<string, unknown>;
  if (fn(client, 'call') && typeof c.isCluster === 'boolean') {
    const io = client as IoredisLike;
    return {
      kind: io.isCluster ? 'ioredis-cluster' : 'ioredis',
      send: (_key, args) => io.call(args[0] as string, args.slice(1)),
    };
  }
  if (fn(client, 'sendCommand') && fn(client, 'getSentinelNode')) {
    const sentinel = client as NodeRedisSentinelLike;
    return { kind: 'node-redis-sentinel', send: (_key, args) => sentinel.sendCommand(false, args) };
  }
  if (fn(client, 'sendCommand') && 'masters' in c && 'nodeByAddress' in c) {
    const cluster = client as NodeRedisClusterLike;
    return { kind: 'node-redis-cluster', send: (key, args) => cluster.sendCommand(key, false, args) };
  }
  if (fn(client, 'sendCommand') && typeof c.isOpen === 'boolean') {
    const nr = client as NodeRedisClientLike;
    return { kind: 'node-redis', send: (_key, args) => nr.sendCommand(args) };
  }
  throw new ConfigError(
    'RedisStore { client } is not a supported Redis client: pass an ioredis Redis or Cluster instance, ' +
      "or a node-redis v5 client from createClient/createCluster/createSentinel (import from 'redis')",
  );
}

/** A Lua script, addressed by its SHA-1 (the name Redis caches it under; not a security use). */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

export function script(name: string, source: string): Script {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

const isNoScript = (error: unknown): boolean => error instanceof Error && /^NOSCRIPT\b/.test(error.message);

/**
 * Run a one-key script: EVALSHA, and EVAL (which also caches it) when this node does not know it
 * yet (fresh server, restart, failover, SCRIPT FLUSH, another cluster node).
 */
export function runScript(link: RedisLink, s: Script, key: string, args: readonly string[]): Promise<unknown> {
  let sent: Promise<unknown>;
  try {
    sent = link.send(key, ['EVALSHA', s.sha, '1', key, ...args]);
  } catch (error) {
    return Promise.reject(error);
  }
  return sent.catch((error: unknown) => {
    if (!isNoScript(error)) throw error;
    return link.send(key, ['EVAL', s.source, '1', key, ...args]);
  });
}

/**
 * Turn a driver failure into a StoreError (status 503). Redis error texts carry no keys or
 * values, so the message is kept; the driver error stays as `cause` for debugging.
 */
export function storeFailure(operation: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(`Redis ${operation} failed: ${detail.slice(0, 300)}`, { cause: error });
}
