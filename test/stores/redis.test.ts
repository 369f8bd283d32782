/**
 * RedisStore against real servers: the conformance suite through ioredis and node-redis
 * (RESP2 and RESP3) on the shared Redis at 127.0.0.1:6379 under a prefix unique to this run,
 * then store specifics. Command counts are measured on a private redis-server (on a free port) so
 * that other test files running at the same time cannot disturb the server-side counters.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { ConfigError, RecordTooLargeError } from '../../src/core/errors.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { RedisStore } from '../../src/stores/redis/index.ts';
import { data, entriesOf, fullMeta, randomKey, randomUser, record } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';
import { requireService } from '../support/services.ts';
import { deletePrefix, keysUnder, loggingClient, type CommandLog } from '../support/redis-clients.ts';
import { freePorts, probeRedisBinaries, redisCommand, redisInfo, RedisServers } from '../support/redis-servers.ts';

const HOST = '127.0.0.1';
const PORT = 6379;
const prefix = `hf-test-${randomBytes(6).toString('hex')}:`;

const redisUp = await requireService(`Redis ${HOST}:${PORT}`, () => redisCommand(PORT, ['PING']));
const binariesUp = await requireService('redis-server binary (private server for command counts)', probeRedisBinaries);
const [PRIVATE_PORT = 0] = binariesUp ? await freePorts(1) : [];

after(async () => {
  if (redisUp) await deletePrefix(PORT, prefix);
});

type NodeRedis = ReturnType<typeof createClient>;

/** Conformance through one client; the client is closed and the run's keys removed after. */
function conformance(name: string, connect: () => Promise<{ client: object; close(): Promise<unknown> }>, maxRecordBytes?: number): void {
  let close: (() => Promise<unknown>) | undefined;
  runStoreConformance(name, {
    async create() {
      const { client, close: closeClient } = await connect();
      close = closeClient;
      return new RedisStore({ client, prefix, ...(maxRecordBytes === undefined ? {} : { maxRecordBytes }) });
    },
    async teardown() {
      await close?.();
    },
    nativeTtl: true,
    ...(maxRecordBytes === undefined ? {} : { maxRecordBytes }),
  });
}

const ioredis = async (port = PORT): Promise<{ client: Redis; close(): Promise<unknown> }> => {
  const client = new Redis({ host: HOST, port, maxRetriesPerRequest: 1 });
  return { client, close: () => client.quit() };
};
const nodeRedis = async (port = PORT, RESP: 2 | 3 = 2): Promise<{ client: NodeRedis; close(): Promise<unknown> }> => {
  const client = createClient({ url: `redis://${HOST}:${port}`, RESP }) as NodeRedis;
  await client.connect();
  return { client, close: () => client.close() };
};

if (redisUp) {
  conformance('RedisStore (ioredis)', () => ioredis());
  conformance('RedisStore (node-redis v5)', () => nodeRedis());
  conformance('RedisStore (node-redis v5, RESP3)', () => nodeRedis(PORT, 3));
  conformance('RedisStore (ioredis, maxRecordBytes 4096)', () => ioredis(), 4096);
}

describe('RedisStore specifics', { skip: !redisUp && 'Redis is not running' }, () => {
  let io: Redis;
  let store: RedisStore;
  before(async () => {
    io = (await ioredis()).client;
    store = new RedisStore({ client: io, prefix });
  });
  after(async () => {
    await io?.quit();
  });

  it('refuses what is not a supported client, and detects what is', async () => {
    assert.throws(() => new RedisStore({ client: undefined }), ConfigError);
    assert.throws(() => new RedisStore({ client: {} }), ConfigError);
    assert.throws(() => new RedisStore({ client: { get: () => null } }), ConfigError);
    assert.throws(() => new RedisStore({ client: io, maxRecordBytes: 0 }), ConfigError);
    assert.equal(store.clientKind, 'ioredis');
    const nr = await nodeRedis();
    try {
      assert.equal(new RedisStore({ client: nr.client }).clientKind, 'node-redis');
    } finally {
      await nr.close();
    }
  });

  it('lays a record out as documented: one hash, d:/m: fields, PEXPIREAT, a per-user sorted set', async () => {
    const key = randomKey();
    const meta = fullMeta();
    await store.set(key, record(meta, [['m:u', '"not meta"'], ['x', '1']]));
    const hash = (await redisCommand(PORT, ['HGETALL', `${prefix}{s:${key}}`])) as string[];
    const fields = new Map<string, string>();
    for (let i = 0; i < hash.length; i += 2) fields.set(hash[i] as string, hash[i + 1] as string);
    assert.equal(fields.get('d:m:u'), '"not meta"');
    assert.equal(fields.get('d:x'), '1');
    assert.equal(fields.get('m:u'), meta.userId);
    assert.equal(fields.get('m:e'), String(meta.expiresAt));
    const pexpiretime = Number(await redisCommand(PORT, ['PEXPIRETIME', `${prefix}{s:${key}}`]));
    assert.equal(pexpiretime, meta.expiresAt);
    const indexKey = `${prefix}{u:${Buffer.from(meta.userId as string).toString('base64url')}}`;
    assert.equal(await redisCommand(PORT, ['ZSCORE', indexKey, key]), String(meta.expiresAt));
    assert.equal(Number(await redisCommand(PORT, ['PEXPIRETIME', indexKey])), meta.expiresAt);
    const got = await store.get(key);
    assert.equal(got?.meta.userId, meta.userId);
    assert.equal(got?.data['m:u'], '"not meta"');
  });

  it('the user index heals: records deleted behind its back or moved to another user are dropped', async () => {
    const [user, other] = [randomUser(), randomUser('other')];
    const [gone, moved, kept] = [randomKey(), randomKey(), randomKey()];
    for (const key of [gone, moved, kept]) await store.set(key, record(fullMeta({ userId: user }), {}));
    const indexKey = `${prefix}{u:${Buffer.from(user).toString('base64url')}}`;
    await redisCommand(PORT, ['DEL', `${prefix}{s:${gone}}`]);
    // Rebind behind the index's back (no index update for `user`).
    await redisCommand(PORT, ['HSET', `${prefix}{s:${moved}}`, 'm:u', other]);
    assert.deepEqual((await store.listByUser(user)).map((e) => e.key), [kept]);
    assert.deepEqual(((await redisCommand(PORT, ['ZRANGE', indexKey, '0', '-1'])) as string[]).sort(), [kept]);
    // destroyByUser never deletes a record that now belongs to someone else.
    await redisCommand(PORT, ['ZADD', indexKey, String(Date.now() + 60_000), moved]);
    assert.equal(await store.destroyByUser(user), 1);
    assert.ok((await store.get(moved)) !== null);
    assert.equal(await store.get(kept), null);
  });

  it('a user ID with braces and colons cannot reach another user’s index or slot tag', async () => {
    const base = randomUser();
    const users = [`${base}}`, `${base}{`, `}${base}`, `{${base}}`, `${base}:{u:x}`];
    for (const user of users) await store.set(randomKey(), record(fullMeta({ userId: user }), {}));
    for (const user of users) assert.equal((await store.listByUser(user)).length, 1, JSON.stringify(user));
    const indexKeys = await keysUnder(PORT, `${prefix}{u:`);
    for (const key of indexKeys) assert.match(key, /^[^{}]*\{u:[A-Za-z0-9_-]*\}$/);
  });

  it('moves records with thousands of keys (scripts write them in chunks)', async () => {
    const key = randomKey();
    const many = Array.from({ length: 2_500 }, (_, i): [string, string] => [`k${i}`, String(i)]);
    await store.set(key, record(fullMeta(), many));
    const more = Array.from({ length: 2_500 }, (_, i): [string, string] => [`n${i}`, String(i)]);
    const unset = many.filter((_, i) => i % 2 === 0).map(([k]) => k);
    assert.equal(await store.patch(key, { set: data(more), unset, meta: fullMeta() }), true);
    const got = await store.get(key);
    assert.deepEqual(entriesOf(got!.data), entriesOf(data([...many.filter((_, i) => i % 2 === 1), ...more])));
  });

  it('a patch of a record stored without its size field still enforces the limit', async () => {
    const small = new RedisStore({ client: io, prefix, maxRecordBytes: 200 });
    const key = randomKey();
    await small.set(key, record(fullMeta(), [['a', JSON.stringify('x'.repeat(100))]]));
    await redisCommand(PORT, ['HDEL', `${prefix}{s:${key}}`, 'm:s']);
    await assert.rejects(small.patch(key, { set: data([['b', JSON.stringify('y'.repeat(100))]]), unset: [], meta: fullMeta() }), RecordTooLargeError);
    assert.equal(await small.patch(key, { set: data([['a', '1']]), unset: [], meta: fullMeta() }), true);
    assert.deepEqual(entriesOf((await small.get(key))!.data), [['a', '1']]);
  });

  it('keeps the stored size field equal to a full recount through every kind of patch', async () => {
    const key = randomKey();
    const hashKey = `${prefix}{s:${key}}`;
    await store.set(key, record(fullMeta(), [['a', '1'], ['b', JSON.stringify('two')]]));
    const steps: { set: [string, string][]; unset: string[]; meta?: boolean }[] = [
      { set: [['c', JSON.stringify({ n: [1, 2, 3] })]], unset: [] }, // a new key, no meta
      { set: [['a', JSON.stringify('a much longer value than before')]], unset: [] }, // a longer value
      { set: [['a', '0']], unset: ['b'], meta: true }, // shorter, removal, and meta
      { set: [], unset: ['never-there', 'c'] }, // removing an absent key changes nothing
      { set: [['d', JSON.stringify('é€😀')], ['e', 'null']], unset: ['a'], meta: true }, // multi-byte text
    ];
    for (const step of steps) {
      assert.equal(await store.patch(key, { set: data(step.set), unset: step.unset, ...(step.meta === true ? { meta: fullMeta() } : {}) }), true);
      const fields = (await redisCommand(PORT, ['HGETALL', hashKey])) as string[];
      let recount = 2;
      let stored: string | undefined;
      for (let i = 0; i < fields.length; i += 2) {
        const name = fields[i] as string;
        const bytes = Buffer.byteLength(fields[i + 1] as string);
        if (name === 'm:s') stored = fields[i + 1];
        else if (name.startsWith('d:')) recount += Buffer.byteLength(name) - 2 + bytes + 6;
      }
      assert.equal(stored, String(recount), `after ${JSON.stringify(step)}`);
    }
  });

  it('never writes into a hash that is not a record (no createdAt): patch and touch say missing', async () => {
    const key = randomKey();
    const hashKey = `${prefix}{s:${key}}`;
    await redisCommand(PORT, ['HSET', hashKey, 'd:stray', '1']);
    try {
      assert.equal(await store.patch(key, { set: data({ a: 1 }), unset: [] }), false);
      assert.equal(await store.patch(key, { set: data({ a: 1 }), unset: [], meta: fullMeta() }), false);
      assert.equal(await store.touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 60_000 }), false);
      assert.deepEqual(await redisCommand(PORT, ['HGETALL', hashKey]), ['d:stray', '1']);
      assert.equal(await redisCommand(PORT, ['PTTL', hashKey]), -1);
    } finally {
      await redisCommand(PORT, ['DEL', hashKey]);
    }
  });

  it('works with a prefix that carries its own hash tag or stray braces', async () => {
    for (const p of [`{${prefix}}`, `${prefix}{`, `${prefix}}`]) {
      const s = new RedisStore({ client: io, prefix: p });
      const user = randomUser();
      const key = randomKey();
      await s.set(key, record(fullMeta({ userId: user }), { a: 1 }));
      assert.equal(await s.patch(key, { set: data({ b: 2 }), unset: [], meta: fullMeta({ userId: user }) }), true);
      assert.deepEqual((await s.listByUser(user)).map((e) => e.key), [key]);
      assert.equal(await s.destroyByUser(user), 1);
      await deletePrefix(PORT, p);
    }
  });

  it('a Redis failure rejects with a StoreError that names no key', async () => {
    const dead = new Redis({ host: HOST, port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    const s = new RedisStore({ client: dead, prefix });
    const key = randomKey();
    await assert.rejects(s.get(key), (error: Error & { status?: number }) => {
      assert.equal(error.name, 'StoreError');
      assert.equal(error.status, 503);
      assert.ok(!error.message.includes(key));
      return true;
    });
    dead.disconnect();
  });
});

/** Run `op` and return what it cost: commands, sequential rounds, and server-side counters. */
async function measure(log: CommandLog, op: () => Promise<unknown>): Promise<{ commands: string[]; rounds: number; serverCommands: number; writes: number }> {
  const before = await Promise.all([redisInfo(PRIVATE_PORT, 'stats'), redisInfo(PRIVATE_PORT, 'persistence')]);
  log.reset();
  await op();
  const afterInfo = await Promise.all([redisInfo(PRIVATE_PORT, 'stats'), redisInfo(PRIVATE_PORT, 'persistence')]);
  const n = (m: Map<string, string>, f: string): number => Number(m.get(f));
  return {
    commands: [...log.commands],
    rounds: log.rounds,
    // Minus the two INFO commands of the "before" snapshot (each counts once it has run).
    serverCommands: n(afterInfo[0], 'total_commands_processed') - n(before[0], 'total_commands_processed') - 2,
    writes: n(afterInfo[1], 'rdb_changes_since_last_save') - n(before[1], 'rdb_changes_since_last_save'),
  };
}

describe('RedisStore cost per operation (private server)', { skip: !binariesUp && 'redis-server is not installed' }, () => {
  const servers = binariesUp ? new RedisServers('count') : undefined;
  before(async () => {
    await servers?.start(PRIVATE_PORT);
  });
  after(async () => {
    await servers?.stop();
  });

  const drivers: [string, () => Promise<{ client: object; close(): Promise<unknown> }>][] = [
    ['ioredis', () => ioredis(PRIVATE_PORT)],
    ['node-redis', () => nodeRedis(PRIVATE_PORT)],
  ];
  for (const [driver, connect] of drivers) {
    it(`${driver}: get is one HGETALL and writes nothing; the others cost what the docs say`, async (t) => {
      const { client, close } = await connect();
      try {
        const wrapped = loggingClient(client);
        const s: SessionStore = new RedisStore({ client: wrapped.client, prefix: 'cost:' });
        const user = randomUser();
        const [anon, bound] = [randomKey(), randomKey()];
        // Warm the script cache so EVALSHA does not fall back to EVAL while measuring.
        await s.set(anon, record(fullMeta({ userId: null }), { a: 1 }));
        await s.set(bound, record(fullMeta({ userId: user }), { a: 1 }));
        await s.patch(bound, { set: data({ w: 0 }), unset: [], meta: fullMeta({ userId: user }) });
        await s.touch(bound, { touchedAt: Date.now(), expiresAt: Date.now() + 60_000 });
        await s.destroy(randomKey());
        const warm = randomUser();
        await s.set(randomKey(), record(fullMeta({ userId: warm }), {}));
        await s.listByUser(warm);
        await s.destroyByUser(warm);

        const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
        const row = async (name: string, op: () => Promise<unknown>): Promise<Awaited<ReturnType<typeof measure>>> => {
          const m = await measure(wrapped.log, op);
          rows.push([name, m]);
          return m;
        };
        for (const key of [anon, bound, randomKey()]) {
          const m = await row(`get (${key === anon ? 'anonymous' : key === bound ? 'bound' : 'missing'})`, () => s.get(key));
          assert.deepEqual(m.commands, ['HGETALL']);
          assert.equal(m.rounds, 1);
          assert.equal(m.serverCommands, 1, 'the server ran exactly one command');
          assert.equal(m.writes, 0, 'a read writes nothing');
        }
        const later = { touchedAt: Date.now(), expiresAt: Date.now() + 120_000 };
        const patchAnon = await row('patch (anonymous)', () => s.patch(anon, { set: data({ b: 2 }), unset: ['a'], meta: fullMeta({ userId: null }) }));
        assert.deepEqual(patchAnon.commands, ['EVALSHA patch']);
        const patchBound = await row('patch (bound)', () => s.patch(bound, { set: data({ b: 2 }), unset: [], meta: fullMeta({ userId: user }) }));
        assert.deepEqual(patchBound.commands.sort(), ['EVALSHA index-add', 'EVALSHA patch']);
        assert.equal(patchBound.rounds, 1);
        const touchAnon = await row('touch (anonymous)', () => s.touch(anon, later));
        assert.deepEqual(touchAnon.commands, ['EVALSHA touch']);
        const touchBound = await row('touch (bound)', () => s.touch(bound, later));
        assert.deepEqual(touchBound.commands, ['EVALSHA touch', 'EVALSHA index-add']);
        assert.equal(touchBound.rounds, 2);
        const missingPatch = await row('patch (missing)', () => s.patch(randomKey(), { set: data({ b: 2 }), unset: [], meta: fullMeta({ userId: null }) }));
        assert.equal(missingPatch.writes, 0);
        const setAnon = await row('set (anonymous)', () => s.set(randomKey(), record(fullMeta({ userId: null }), { a: 1 })));
        assert.deepEqual(setAnon.commands, ['EVALSHA set']);
        const setBound = await row('set (bound)', () => s.set(randomKey(), record(fullMeta({ userId: user }), { a: 1 })));
        assert.deepEqual(setBound.commands, ['EVALSHA set', 'EVALSHA index-add']);
        assert.equal(setBound.rounds, 2);
        await row('destroy (bound)', () => s.destroy(bound));
        await row('listByUser (1 record)', () => s.listByUser(user));
        await row('destroyByUser (1 record)', () => s.destroyByUser(user));
        t.diagnostic(rows.map(([name, m]) => `${name}: ${m.commands.length} command(s) in ${m.rounds} round(s) [${m.commands.join(', ')}]`).join('\n'));
        assert.deepEqual(wrapped.log.errors, []);
      } finally {
        await close();
      }
    });
  }

  it('a patch that is not due a touch runs three commands inside Redis (HMGET, HSTRLEN, HSET), a touch three', async () => {
    const { client, close } = await ioredis(PRIVATE_PORT);
    try {
      const s = new RedisStore({ client, prefix: 'calls:' });
      const key = randomKey();
      await s.set(key, record(fullMeta({ userId: randomUser() }), { count: 0 }));
      assert.equal(await s.patch(key, { set: data({ count: 1 }), unset: [] }), true); // loads the script
      const calls = async (): Promise<Map<string, number>> => {
        const out = new Map<string, number>();
        for (const [name, value] of await redisInfo(PRIVATE_PORT, 'commandstats')) {
          const n = /(?:^|,)calls=(\d+)/.exec(value);
          if (n !== null) out.set(name.replace(/^cmdstat_/, ''), Number(n[1]));
        }
        return out;
      };
      const before = await calls();
      assert.equal(await s.patch(key, { set: data({ count: 2 }), unset: [] }), true);
      const after = await calls();
      const delta = [...after]
        .map(([name, n]) => [name, n - (before.get(name) ?? 0)] as const)
        .filter(([name, n]) => n > 0 && name !== 'info')
        .sort(([a], [b]) => a.localeCompare(b));
      assert.deepEqual(delta, [['evalsha', 1], ['hmget', 1], ['hset', 1], ['hstrlen', 1]]);
      assert.deepEqual(entriesOf((await s.get(key))!.data), entriesOf(data({ count: 2 })));
      await s.touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 60_000 }); // loads the script
      const beforeTouch = await calls();
      assert.equal(await s.touch(key, { touchedAt: Date.now(), expiresAt: Date.now() + 90_000 }), true);
      const afterTouch = await calls();
      const touchDelta = [...afterTouch]
        .map(([name, n]) => [name, n - (beforeTouch.get(name) ?? 0)] as const)
        .filter(([name, n]) => n > 0 && name !== 'info' && name !== 'evalsha')
        .sort(([a], [b]) => a.localeCompare(b));
      // A bound session's touch also moves its user index entry (a second script).
      assert.deepEqual(touchDelta.filter(([name]) => name !== 'zadd' && name !== 'zrange'), [['hmget', 1], ['hset', 1], ['pexpireat', 2]]);
    } finally {
      await close();
    }
  });

  it('recovers when the server forgets its scripts (restart, failover, SCRIPT FLUSH)', async () => {
    const { client, close } = await ioredis(PRIVATE_PORT);
    try {
      const s = new RedisStore({ client, prefix: 'flush:' });
      const key = randomKey();
      await s.set(key, record(fullMeta(), { a: 1 }));
      await redisCommand(PRIVATE_PORT, ['SCRIPT', 'FLUSH']);
      assert.equal(await s.patch(key, { set: data({ b: 2 }), unset: [], meta: fullMeta() }), true);
      await redisCommand(PRIVATE_PORT, ['SCRIPT', 'FLUSH']);
      assert.equal(await s.touch(key, { touchedAt: 1, expiresAt: Date.now() + 60_000 }), true);
      assert.deepEqual(entriesOf((await s.get(key))!.data), entriesOf(data({ a: 1, b: 2 })));
    } finally {
      await close();
    }
  });
});
