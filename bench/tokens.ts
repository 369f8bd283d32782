/**
 * In-process micro measurement of token mode, per store: issue, refresh, verifyAccess (with
 * the family check: one store read) and verifyAccess stateless (checkFamily: false), one call
 * at a time, so each figure is the latency of one call (µs, mean after a warm-up). Not a test;
 * prints a table. Uses the machine's PostgreSQL, MariaDB and Redis when they answer (tables and
 * keys under a random prefix, removed after); a store whose server is down is skipped.
 *
 *   node bench/tokens.ts            # 400 calls per operation and store
 *   node bench/tokens.ts 2000
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { MemoryTokenStore } from '../src/stores/memory/index.ts';
import { MysqlTokenStore } from '../src/stores/mysql/index.ts';
import { PostgresTokenStore } from '../src/stores/postgres/index.ts';
import { RedisTokenStore } from '../src/stores/redis/index.ts';
import { SqliteTokenStore } from '../src/stores/sqlite/index.ts';
import { createTokens, type IssuedTokens } from '../src/tokens/index.ts';
import type { TokenStore } from '../src/tokens/store.ts';

const N = Number(process.argv[2] ?? 400);
const WARMUP = Math.max(20, Math.floor(N / 10));
const tag = `hf_tokbench_${randomBytes(4).toString('hex')}`;
const SECRET = randomBytes(32).toString('base64url');

interface Target {
  name: string;
  open(): Promise<{ store: TokenStore; close(): Promise<void> }>;
}

const targets: Target[] = [
  { name: 'memory', open: async () => ({ store: new MemoryTokenStore({ maxFamilies: 1_000_000 }), close: async () => {} }) },
  {
    name: 'sqlite (file)',
    async open() {
      const path = `/tmp/${tag}.db`;
      const store = new SqliteTokenStore({ path, sweepInterval: 0 });
      return {
        store,
        close: async () => {
          await store.close();
          const { rmSync } = await import('node:fs');
          for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
        },
      };
    },
  },
  {
    name: 'redis (ioredis)',
    async open() {
      const client = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1, lazyConnect: true });
      await client.connect();
      return { store: new RedisTokenStore({ client, prefix: `${tag}:` }), close: async () => void (await cleanRedis(client)) };
    },
  },
  {
    name: 'redis (node-redis)',
    async open() {
      const client = createClient({ url: 'redis://127.0.0.1:6379' });
      await client.connect();
      const io = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
      await io.connect();
      return {
        store: new RedisTokenStore({ client, prefix: `${tag}nr:` }),
        close: async () => {
          await client.close();
          await cleanRedis(io);
        },
      };
    },
  },
  {
    name: 'postgres (pg)',
    async open() {
      const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
      pool.on('error', () => undefined);
      return {
        store: new PostgresTokenStore({ pool, table: tag, sweepInterval: 0 }),
        close: async () => {
          await pool.query(`DROP TABLE IF EXISTS "${tag}"`);
          await pool.end();
        },
      };
    },
  },
  {
    name: 'mariadb (mysql2)',
    async open() {
      const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: 4 });
      return {
        store: new MysqlTokenStore({ pool, table: tag, sweepInterval: 0 }),
        close: async () => {
          await pool.query(`DROP TABLE IF EXISTS \`${tag}\``);
          await pool.end();
        },
      };
    },
  },
];

async function cleanRedis(client: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${tag}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
  await client.quit();
}

async function time(count: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

const rows: string[][] = [];
for (const target of targets) {
  let opened: Awaited<ReturnType<Target['open']>>;
  try {
    opened = await target.open();
    await opened.store.get('x'.repeat(22)); // connects / creates the table
  } catch (error) {
    console.log(`skipped ${target.name}: ${(error as Error).message}`);
    continue;
  }
  const tokens = createTokens({ secrets: SECRET, store: opened.store, audience: 'bench' });
  const issued: IssuedTokens[] = [];
  const issue = await time(N, async () => issued.push(await tokens.issue(`user-${issued.length % 100}`)));
  let current = issued.slice();
  const refresh = await time(Math.min(N, issued.length - WARMUP), async (i) => {
    const next = await tokens.refresh(current[i]!.refreshToken);
    if (next === null) throw new Error('refresh refused');
    current[i] = next;
  });
  current = current.filter(Boolean);
  const verify = await time(N, async (i) => {
    if ((await tokens.verifyAccess(current[i % current.length]!.accessToken)) === null) throw new Error('verify refused');
  });
  const stateless = await time(N, async (i) => tokens.verifyAccess(current[i % current.length]!.accessToken, { checkFamily: false }));
  rows.push([target.name, issue, refresh, verify, stateless].map((v) => (typeof v === 'number' ? v.toFixed(0) : v)));
  await opened.close();
}

const head = ['store', 'issue µs', 'refresh µs', 'verifyAccess µs', 'verify stateless µs'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(`\ntoken mode, ${N} sequential calls per operation (HS256, Node ${process.version})\n`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
