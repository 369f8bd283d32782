/**
 * The services variants may need: a private Redis started here, the machine's PostgreSQL and
 * MariaDB/MySQL probed once. A variant whose service is down is skipped with a printed reason.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Pinning } from './pinning.ts';
import { sharedRedis, startPrivateRedis, type PrivateRedis } from './redis.ts';
import type { Service } from './types.ts';

export interface Services {
  redis?: PrivateRedis;
  postgresUrl?: string;
  mysqlUrl?: string;
  /** Why a service is unavailable. */
  down: Partial<Record<Service, string>>;
  /** Notes for the report (e.g. Redis is shared, not private). */
  notes: string[];
  env(): Record<string, string>;
  stop(): Promise<void>;
}

const SHARED_REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URLS = process.env.BENCH_POSTGRES_URL
  ? [process.env.BENCH_POSTGRES_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

async function probePostgres(): Promise<{ url?: string; error?: string }> {
  let error = '';
  for (const url of POSTGRES_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return { url };
    } catch (e) {
      error = (e as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { error };
}

async function probeMysql(): Promise<{ url?: string; error?: string }> {
  try {
    const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 2_000 });
    await connection.query('select 1');
    await connection.end();
    return { url: MYSQL_URL };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export async function setUpServices(needed: ReadonlySet<Service>, pinning: Pinning): Promise<Services> {
  const services: Services = {
    down: {},
    notes: [],
    env() {
      const out: Record<string, string> = {};
      if (this.redis) out.BENCH_REDIS_URL = this.redis.url;
      if (this.postgresUrl) out.BENCH_POSTGRES_URL = this.postgresUrl;
      if (this.mysqlUrl) out.BENCH_MYSQL_URL = this.mysqlUrl;
      return out;
    },
    async stop() {
      await this.redis?.stop();
    },
  };
  if (needed.has('redis')) {
    services.redis = await startPrivateRedis(pinning);
    if (services.redis === undefined) {
      services.redis = await sharedRedis(SHARED_REDIS);
      if (services.redis) services.notes.push(`redis-server could not be started: using the shared Redis at ${SHARED_REDIS}; command counts include anything else using it`);
      else services.down.redis = `no redis-server binary and nothing at ${SHARED_REDIS}`;
    } else {
      services.notes.push(`Redis: a private redis-server at ${services.redis.url}${pinning.enabled ? `, pinned to core ${pinning.loadCore} with the load generator` : ''}`);
    }
  }
  if (needed.has('postgres')) {
    const found = await probePostgres();
    if (found.url) {
      services.postgresUrl = found.url;
      services.notes.push('PostgreSQL / MariaDB: the machine\'s shared servers, not pinned (other work on them adds noise)');
    } else services.down.postgres = `PostgreSQL not reachable (${found.error})`;
  }
  if (needed.has('mysql')) {
    const found = await probeMysql();
    if (found.url) services.mysqlUrl = found.url;
    else services.down.mysql = `MariaDB/MySQL not reachable at ${MYSQL_URL} (${found.error})`;
  }
  return services;
}
