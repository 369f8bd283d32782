/**
 * `holdfast sweep`: delete expired session records once, with the store's own `sweep(now)`.
 *
 *   holdfast sweep --store sqlite --path data/sessions.sqlite [--table holdfast_sessions]
 *   holdfast sweep --store postgres --url postgres://user@host/db [--table t] [--schema s]
 *   holdfast sweep --store mysql --url mysql://user@host/db [--table t]
 *
 * Never creates a database or a table: a wrong path or table name is an error, not an empty new one.
 */
import { existsSync } from 'node:fs';
import { UsageError, type ParsedArgs } from './args.ts';

export const SWEEP_OPTIONS = ['store', 'path', 'url', 'table', 'schema'] as const;

/** Loads an optional driver, saying what to install when it is missing. */
async function driver<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new Error(`the ${name} driver is not installed: npm install ${name}`, { cause: error });
    throw error;
  }
}

interface Sweepable {
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}

async function openStore(args: ParsedArgs): Promise<{ store: Sweepable; done: () => Promise<void> }> {
  const kind = args.options.get('store');
  const table = args.options.get('table');
  if (kind === 'sqlite') {
    const path = args.options.get('path');
    if (path === undefined) throw new UsageError('--store sqlite needs --path <file>');
    if (!existsSync(path)) throw new UsageError(`no SQLite database at ${path}`);
    const { SqliteStore } = await import('../stores/sqlite/index.ts');
    const store = new SqliteStore({ path, sweepInterval: 0, ...(table === undefined ? {} : { table }) });
    return { store, done: () => store.close() };
  }
  if (kind === 'postgres' || kind === 'mysql') {
    const url = args.options.get('url');
    if (url === undefined) throw new UsageError(`--store ${kind} needs --url <connection string>`);
    const common = { createTable: false, sweepInterval: 0, ...(table === undefined ? {} : { table }) };
    if (kind === 'postgres') {
      const pg = (await driver('pg', () => import('pg'))).default;
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      pool.on('error', () => undefined);
      const { PostgresStore } = await import('../stores/postgres/index.ts');
      const schema = args.options.get('schema');
      const store = new PostgresStore({ pool, ...common, ...(schema === undefined ? {} : { schema }) });
      return { store, done: async () => { await store.close(); await pool.end(); } };
    }
    const mysql = await driver('mysql2', () => import('mysql2/promise'));
    const pool = mysql.createPool({ uri: url, connectionLimit: 1 });
    const { MysqlStore } = await import('../stores/mysql/index.ts');
    const store = new MysqlStore({ pool, ...common });
    return { store, done: async () => { await store.close(); await pool.end(); } };
  }
  throw new UsageError(kind === undefined ? 'sweep needs --store sqlite|postgres|mysql' : `unknown store "${kind}" (sqlite, postgres or mysql)`);
}

/** Runs one sweep; returns how many records were removed. */
export async function sweep(args: ParsedArgs, now: number = Date.now()): Promise<number> {
  const { store, done } = await openStore(args);
  try {
    return await store.sweep(now);
  } finally {
    await done();
  }
}
