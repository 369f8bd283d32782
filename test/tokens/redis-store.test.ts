/**
 * Token conformance on Redis: the shared server (127.0.0.1:6379, keys under a random prefix,
 * removed after) through ioredis and node-redis (RESP2 and RESP3), and a private 3-master
 * Cluster (started here on free ports, killed after) through ioredis Cluster and node-redis
 * createCluster: every family operation is one single-key script, so no CROSSSLOT anywhere.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { ConfigError, StoreError } from '../../src/core/errors.ts';
import { RedisTokenStore } from '../../src/stores/redis/index.ts';
import { runTokenStoreConformance } from './token-store-conformance.ts';
import { deletePrefix, keysUnder } from '../support/redis-clients.ts';
import { freePorts, probeRedisBinaries, redisCommand, RedisServers } from '../support/redis-servers.ts';
import { requireService } from '../support/services.ts';

const HOST = '127.0.0.1';
const PORT = 6379;
const prefix = `hf-tok-${randomBytes(6).toString('hex')}:`;

const redisUp = await requireService(`Redis ${HOST}:${PORT}`, () => redisCommand(PORT, ['PING']));
const binariesUp = await requireService('redis-server and redis-cli (to start a Redis Cluster)', probeRedisBinaries);
const servers = binariesUp ? new RedisServers('token-cluster') : undefined;
const PORTS = binariesUp ? await freePorts(3, 10_000) : [];
if (servers !== undefined) await servers.startCluster(PORTS);

after(async () => {
  if (redisUp) await deletePrefix(PORT, prefix);
  await servers?.stop();
});

type Connect = () => Promise<{ client: object; close(): Promise<unknown> }>;

function conformance(name: string, connect: Connect): void {
  let close: (() => Promise<unknown>) | undefined;
  runTokenStoreConformance(name, {
    async create() {
      const connected = await connect();
      close = connected.close;
      return new RedisTokenStore({ client: connected.client, prefix });
    },
    async teardown() {
      await close?.();
    },
  });
}

if (redisUp) {
  conformance('RedisTokenStore (ioredis)', async () => {
    const client = new Redis({ host: HOST, port: PORT, maxRetriesPerRequest: 1 });
    return { client, close: () => client.quit() };
  });
  for (const RESP of [2, 3] as const) {
    conformance(`RedisTokenStore (node-redis v5, RESP${RESP})`, async () => {
      const client = createClient({ url: `redis://${HOST}:${PORT}`, RESP });
      await client.connect();
      return { client, close: () => client.close() };
    });
  }
}

if (servers !== undefined) {
  conformance('RedisTokenStore (ioredis Cluster)', async () => {
    const client = new Cluster(PORTS.map((port) => ({ host: HOST, port })), { redisOptions: { maxRetriesPerRequest: 2 } });
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
    });
    return { client, close: () => client.quit() };
  });
  conformance('RedisTokenStore (node-redis createCluster)', async () => {
    const client = createCluster({ rootNodes: PORTS.map((port) => ({ url: `redis://${HOST}:${port}` })) });
    await client.connect();
    return { client, close: () => client.close() };
  });
}

describe('RedisTokenStore specifics', { skip: !redisUp && 'Redis is not running' }, () => {
  it('refuses what is not a client; a family is one hash with a native expiry; garbage is a StoreError', async () => {
    assert.throws(() => new RedisTokenStore({ client: {} }), ConfigError);
    assert.throws(() => new RedisTokenStore({} as never), ConfigError);
    const client = new Redis({ host: HOST, port: PORT, maxRetriesPerRequest: 1 });
    try {
      const own = `${prefix}spec:`;
      const store = new RedisTokenStore({ client, prefix: own });
      const now = Date.now();
      const handle = randomBytes(16).toString('base64url').slice(0, 22);
      await store.create({ handle, userId: 'u{1}', gen: 0, createdAt: now, usedAt: now, expiresAt: now + 60_000, rotatedAt: null, revokedAt: null, claims: '{}' });
      const keys = (await keysUnder(PORT, own)).sort();
      assert.equal(keys.length, 2, keys.join(' '));
      const familyKey = `${own}{tf:${handle}}`;
      assert.ok(keys.includes(familyKey));
      const ttl = Number(await client.pttl(familyKey));
      assert.ok(ttl > 55_000 && ttl <= 60_000, `family key expires with the family (${ttl})`);
      const fields = await client.hgetall(familyKey);
      assert.ok(!Object.values(fields).some((v) => v.includes('.')), 'no token text in the store');
      await client.hset(familyKey, 'gen', 'x');
      await assert.rejects(store.get(handle), StoreError);
    } finally {
      await client.quit();
    }
  });
});
