/**
 * RedisStore on a real 3-master Redis Cluster (on free ports, started here, killed after):
 * the conformance suite through ioredis `Cluster` and node-redis `createCluster`, no CROSSSLOT
 * error anywhere, and a user whose sessions are spread over every master.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { RedisStore } from '../../src/stores/redis/index.ts';
import { fullMeta, randomKey, randomUser, record } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { requireService } from '../support/services.ts';
import { keysUnder, loggingClient, type CommandLog } from '../support/redis-clients.ts';
import { freePorts, probeRedisBinaries, RedisServers } from '../support/redis-servers.ts';

const HOST = '127.0.0.1';
const prefix = `hf-cluster-${randomBytes(6).toString('hex')}:`;

const binariesUp = await requireService('redis-server and redis-cli (to start a Redis Cluster)', probeRedisBinaries);
const servers = binariesUp ? new RedisServers('cluster') : undefined;
// Free ports chosen by the OS (each with its cluster bus port, +10000, free too).
const PORTS = binariesUp ? await freePorts(3, 10_000) : [];
after(async () => {
  await servers?.stop();
});
if (servers !== undefined) await servers.startCluster(PORTS);

type NodeRedisCluster = ReturnType<typeof createCluster>;

interface Driver {
  name: string;
  connect(): Promise<{ client: object; close(): Promise<unknown> }>;
}

const drivers: Driver[] = [
  {
    name: 'ioredis Cluster',
    async connect() {
      const client = new Cluster(PORTS.map((port) => ({ host: HOST, port })), { redisOptions: { maxRetriesPerRequest: 2 } });
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('error', reject);
      });
      return { client, close: () => client.quit() };
    },
  },
  {
    name: 'node-redis createCluster',
    async connect() {
      const client = createCluster({ rootNodes: PORTS.map((port) => ({ url: `redis://${HOST}:${port}` })) }) as NodeRedisCluster;
      await client.connect();
      return { client, close: () => client.close() };
    },
  },
];

const logs: CommandLog[] = [];

for (const driver of drivers) {
  if (servers === undefined) break;
  let close: (() => Promise<unknown>) | undefined;
  runStoreConformance(`RedisStore (${driver.name})`, {
    async create() {
      const connected = await driver.connect();
      close = connected.close;
      const { client, log } = loggingClient(connected.client);
      logs.push(log);
      return new RedisStore({ client, prefix });
    },
    async teardown() {
      await close?.();
    },
    nativeTtl: true,
  });

  describe(`RedisStore (${driver.name}) across slots`, () => {
    let store: RedisStore;
    let log: CommandLog;
    let closeClient: (() => Promise<unknown>) | undefined;
    before(async () => {
      const connected = await driver.connect();
      closeClient = connected.close;
      const wrapped = loggingClient(connected.client);
      log = wrapped.log;
      logs.push(log);
      store = new RedisStore({ client: wrapped.client, prefix });
    });
    after(async () => {
      await closeClient?.();
    });

    it('is detected as a cluster client', () => {
      assert.match(store.clientKind, /cluster$/);
    });

    it('destroyByUser removes 60 sessions spread over every master, keeping the excepted one', async () => {
      const user = randomUser();
      const keys = Array.from({ length: 60 }, () => randomKey());
      await Promise.all(keys.map((key, i) => store.set(key, record(fullMeta({ userId: user }), { i }))));
      const perNode = await Promise.all(
        PORTS.map(async (port) => (await keysUnder(port, `${prefix}{s:`)).filter((k) => keys.some((key) => k === `${prefix}{s:${key}}`)).length),
      );
      assert.ok(perNode.every((n) => n > 0), `sessions on every master (${perNode.join('/')})`);
      assert.equal(perNode.reduce((a, b) => a + b, 0), 60);
      assert.equal((await store.listByUser(user)).length, 60);
      const except = keys[17] as string;
      assert.equal(await store.destroyByUser(user, except), 59);
      const left = await Promise.all(keys.map((key) => store.get(key)));
      assert.deepEqual(
        keys.filter((_, i) => left[i] !== null),
        [except],
      );
      assert.deepEqual((await store.listByUser(user)).map((e) => e.key), [except]);
      assert.equal(await store.destroyByUser(user), 1);
      assert.deepEqual(await store.listByUser(user), []);
    });
  });
}

describe('Redis Cluster', { skip: servers === undefined && 'redis-server is not installed' }, () => {
  it('no command of any run hit CROSSSLOT (or any other error reply)', () => {
    assert.ok(logs.length >= 4, 'every client was logged');
    const errors = logs.flatMap((log) => log.errors);
    assert.deepEqual(errors.filter((e) => /CROSSSLOT/.test(e)), []);
    // The only error a healthy run may see is NOSCRIPT (a node meeting a script for the first time).
    assert.deepEqual(errors.filter((e) => !/^NOSCRIPT/.test(e)), []);
    assert.ok(logs.reduce((n, log) => n + log.commands.length, 0) > 200);
  });
});
