/**
 * Two app processes (A and B, holdfast/express) sharing one store — RedisStore on the Redis at
 * 127.0.0.1:6379, connect-redis through the express-session bridge, then PostgresStore on the
 * PostgreSQL at 127.0.0.1:5432: sign in through A,
 * read through B, "log out all devices" through B, A sees it on its next request.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sessionCookie, startApp, type AppProcess } from '../support/app-process.ts';
import { requireService } from '../support/services.ts';

const TAG = randomBytes(5).toString('hex');
const SECRET = randomBytes(32).toString('base64url');

const redisUp = await requireService('Redis 127.0.0.1:6379', async () => {
  const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
});

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
});

interface Me {
  userId: string | null;
  handle: string | null;
  data: Record<string, unknown>;
}

const cookieOf = (setCookies: string[]): string => {
  const cookie = sessionCookie(setCookies);
  assert.ok(cookie !== undefined && cookie !== 'sid=', `expected a session cookie, got ${JSON.stringify(setCookies)}`);
  return cookie;
};

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: 6379 });
  try {
    const keys: string[] = [];
    for (let cursor = '0'; ; ) {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

function scenario(storeName: string, env: Record<string, string>): void {
  let a: AppProcess;
  let b: AppProcess;
  before(async () => {
    [a, b] = await Promise.all([startApp('A', env), startApp('B', env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it(`${storeName}: sign in through A, read through B, log out all devices through B, A is signed out`, async () => {
    const user = `alice-${TAG}`;
    const login = await a.request('POST', `/login?user=${encodeURIComponent(user)}`);
    assert.equal(login.status, 200);
    const cookieA = cookieOf(login.setCookies);

    // B reads what A wrote, and A reads what B wrote (one store, no sticky sessions).
    const [meA, meB] = [await a.request('GET', '/me', { cookie: cookieA }), await b.request('GET', '/me', { cookie: cookieA })];
    assert.equal((meB.body as Me).userId, user);
    assert.deepEqual(meB.body, meA.body, 'B sees the same session as A');
    assert.equal((await b.request('GET', '/set?k=cart&v=3', { cookie: cookieA })).status, 200);
    assert.deepEqual(((await a.request('GET', '/me', { cookie: cookieA })).body as { data: unknown }).data, { cart: '3' });

    // A second device, signed in through B.
    const second = await b.request('POST', `/login?user=${encodeURIComponent(user)}`);
    const cookieB = cookieOf(second.setCookies);
    assert.notEqual(cookieB, cookieA);
    assert.equal(((await a.request('GET', '/me', { cookie: cookieB })).body as { userId: string }).userId, user);

    // "Log out all devices" through B: both sessions end; B's own cookie is cleared.
    const logoutAll = await b.request('POST', '/logout-all', { cookie: cookieB });
    assert.equal(logoutAll.status, 200);
    assert.deepEqual(logoutAll.body, { revoked: 2 });
    const cleared = logoutAll.setCookies.find((c) => c.startsWith('sid='));
    assert.ok(cleared !== undefined && /^sid=;/.test(cleared) && /Max-Age=0/i.test(cleared), `B's cookie cleared: ${cleared}`);

    // A's next request: anonymous. The stale cookie is ignored and never renewed (the engine
    // leaves it to its own Max-Age rather than clearing it; see engine-core load()).
    const afterA = await a.request('GET', '/me', { cookie: cookieA });
    assert.equal(afterA.status, 200);
    assert.deepEqual(afterA.body, { userId: null, handle: null, data: {} });
    assert.equal(sessionCookie(afterA.setCookies), undefined, 'no cookie re-issued for the revoked session');
    assert.equal(((await b.request('GET', '/me', { cookie: cookieB })).body as { userId: unknown }).userId, null);

    // Writing through A with the stale cookie starts a new session under a new ID.
    const fresh = await a.request('GET', '/set?k=x&v=1', { cookie: cookieA });
    assert.equal(fresh.status, 200);
    const cookieFresh = cookieOf(fresh.setCookies);
    assert.notEqual(cookieFresh, cookieA);
    const freshMe = (await b.request('GET', '/me', { cookie: cookieFresh })).body as Me;
    assert.equal(freshMe.userId, null);
    assert.deepEqual(freshMe.data, { x: '1' });

    for (const app of [a, b]) {
      assert.deepEqual(app.problems(), [], `${app.name} stderr problems`);
      assert.equal(app.exit, undefined, `${app.name} still running`);
    }
  });
}

describe('two app processes sharing RedisStore', { skip: !redisUp && 'Redis is not running' }, () => {
  const prefix = `hf-it-shared-${TAG}:`;
  after(() => deleteRedisPrefix(prefix));
  scenario('Redis', { HF_STORE: 'redis', HF_REDIS_PORT: '6379', HF_REDIS_PREFIX: prefix, HF_SECRET: SECRET, HF_STORE_TIMEOUT: '2000' });
});

describe('two app processes sharing connect-redis through the express-session bridge', { skip: !redisUp && 'Redis is not running' }, () => {
  const prefix = `hf-it-bridge-${TAG}:`;
  after(() => deleteRedisPrefix(prefix));
  scenario('connect-redis via ExpressSessionStoreBridge', { HF_STORE: 'connect-redis', HF_REDIS_PORT: '6379', HF_REDIS_PREFIX: prefix, HF_SECRET: SECRET, HF_STORE_TIMEOUT: '2000' });
});

describe('two app processes sharing PostgresStore', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  const table = `hf_it_shared_${TAG}`;
  after(async () => {
    const client = new pg.Client(PG);
    await client.connect();
    try {
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
    } finally {
      await client.end();
    }
  });
  scenario('PostgreSQL', { HF_STORE: 'postgres', HF_PG_TABLE: table, HF_SECRET: SECRET, HF_STORE_TIMEOUT: '2000' });
});
