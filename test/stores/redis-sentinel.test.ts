/**
 * RedisStore behind Redis Sentinel (1 master, 1 replica, 1 sentinel on free ports, started
 * here, killed after): the conformance suite through ioredis `{ sentinels, name }` and node-redis
 * `createSentinel`; writes land on the master and reach the replica.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { RedisStore } from '../../src/stores/redis/index.ts';
import { data, entriesOf, fullMeta, randomKey, record } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { loggingClient } from '../support/redis-clients.ts';
import { requireService } from '../support/services.ts';
import { freePorts, probeRedisBinaries, redisCommand, RedisServers, waitFor } from '../support/redis-servers.ts';

const HOST = '127.0.0.1';
const NAME = 'holdfast-test';
const prefix = `hf-sentinel-${randomBytes(6).toString('hex')}:`;

const binariesUp = await requireService('redis-server (to start a master, a replica and a sentinel)', probeRedisBinaries);
const servers = binariesUp ? new RedisServers('sentinel') : undefined;
const [master, replica, sentinel] = binariesUp ? await freePorts(3) : [0, 0, 0];
const PORTS = { master: master as number, replica: replica as number, sentinel: sentinel as number };
after(async () => {
  await servers?.stop();
});
if (servers !== undefined) await servers.startSentinel(PORTS, NAME);

const ioredisSentinel = async (): Promise<{ client: Redis; close(): Promise<unknown> }> => {
  const client = new Redis({ sentinels: [{ host: HOST, port: PORTS.sentinel }], name: NAME, maxRetriesPerRequest: 2 });
  return { client, close: () => client.quit() };
};

const nodeRedisSentinel = async (): Promise<{ client: object; close(): Promise<unknown> }> => {
  const client = createSentinel({ name: NAME, sentinelRootNodes: [{ host: HOST, port: PORTS.sentinel }] });
  await client.connect();
  return { client, close: () => client.close() };
};

const drivers: [string, () => Promise<{ client: object; close(): Promise<unknown> }>][] = [
  ['ioredis with sentinels', ioredisSentinel],
  ['node-redis createSentinel', nodeRedisSentinel],
];

for (const [name, connect] of drivers) {
  if (servers === undefined) break;
  let close: (() => Promise<unknown>) | undefined;
  runStoreConformance(`RedisStore (${name})`, {
    async create() {
      const connected = await connect();
      close = connected.close;
      return new RedisStore({ client: connected.client, prefix });
    },
    async teardown() {
      await close?.();
    },
    nativeTtl: true,
  });
}

describe('RedisStore behind Sentinel', { skip: servers === undefined && 'redis-server is not installed' }, () => {
  it('is detected, writes to the master, and the replica receives the record', async () => {
    const { client, close } = await ioredisSentinel();
    try {
      const store = new RedisStore({ client, prefix });
      assert.equal(store.clientKind, 'ioredis');
      const key = randomKey();
      await store.set(key, record(fullMeta(), { a: 1 }));
      const redisKey = `${prefix}{s:${key}}`;
      assert.equal(await redisCommand(PORTS.master, ['HGET', redisKey, 'd:a']), '1');
      await waitFor('the replica to have the record', async () => (await redisCommand(PORTS.replica, ['HGET', redisKey, 'd:a'])) === '1', 5_000);
    } finally {
      await close();
    }
    const nr = await nodeRedisSentinel();
    try {
      assert.equal(new RedisStore({ client: nr.client }).clientKind, 'node-redis-sentinel');
    } finally {
      await nr.close();
    }
  });

  // Last: it kills the master.
  it('keeps working after the master dies: the promoted replica runs scripts it has never seen', async () => {
    const { client: raw, close } = await ioredisSentinel();
    raw.on('error', () => undefined); // reconnection noise while the master is down
    const { client, log } = loggingClient(raw);
    try {
      const store = new RedisStore({ client, prefix });
      const key = randomKey();
      await store.set(key, record(fullMeta(), { a: 1 }));
      await waitFor('the replica to have the record', async () => (await redisCommand(PORTS.replica, ['EXISTS', `${prefix}{s:${key}}`])) === 1, 5_000);
      await servers!.kill(PORTS.master);
      await waitFor('the sentinel to promote the replica', async () => {
        const addr = await redisCommand(PORTS.sentinel, ['SENTINEL', 'get-master-addr-by-name', NAME]);
        return Array.isArray(addr) && addr[1] === String(PORTS.replica);
      }, 20_000, 100);
      await waitFor('the store to write through the new master', async () => store.patch(key, { set: data({ b: 2 }), unset: [], meta: fullMeta() }), 20_000, 100);
      assert.equal(await redisCommand(PORTS.replica, ['HGET', `${prefix}{s:${key}}`, 'd:b']), '2');
      assert.deepEqual(entriesOf((await store.get(key))!.data), entriesOf(data({ a: 1, b: 2 })));
      // Redis 7 replicates a script's effects, not the script: the new master had to be sent it.
      assert.ok(log.errors.some((e) => /^NOSCRIPT/.test(e)), 'the new master answered NOSCRIPT once');
      assert.ok(log.commands.includes('EVAL'));
    } finally {
      await close().catch(() => undefined);
    }
  });
});
