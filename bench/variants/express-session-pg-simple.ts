/**
 * express-session + connect-pg-simple 10 on a pg Pool (10 connections): the usual PostgreSQL
 * setup, the natural peer of holdfast + PostgresStore. Suite "extra" (not in the default run).
 */
import session from 'express-session';
import pg from 'pg';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';
import { importUntyped } from '../lib/untyped-import.ts';

type PgSimple = (s: typeof session) => new (options: Record<string, unknown>) => session.Store;

const variant = defineVariant({
  name: 'express-session-pg-simple',
  label: 'express-session + connect-pg-simple',
  suite: 'extra',
  role: 'peer',
  scenarios: ['read', 'write'],
  bare: 'express',
  services: ['postgres'],
  start: async (_scenario, env) => {
    // connect-pg-simple ships no type declarations.
    const { default: connectPgSimple } = await importUntyped<{ default: PgSimple }>('connect-pg-simple');
    const PgStore = connectPgSimple(session);
    const pool = new pg.Pool({ connectionString: env.postgresUrl, max: 10 });
    const tableName = `bench_es_${process.pid}`;
    // connect-pg-simple's own table.sql names its key "session_pkey", which clashes between tables: make ours.
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${tableName} (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL);
       CREATE INDEX IF NOT EXISTS ${tableName}_expire ON ${tableName} (expire)`,
    );
    const store = new PgStore({ pool, tableName, pruneSessionInterval: false });
    return startExpress({
      middleware: session({ secret: env.secret, resave: false, saveUninitialized: false, store }),
      bag: (req) => req.session as unknown as Bag,
      close: async () => {
        await pool.query(`DROP TABLE IF EXISTS ${tableName}`);
        await pool.end();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
