/** holdfast/express + PostgresStore on a pg Pool (10 connections), own table dropped afterwards. */
import pg from 'pg';
import { session, type RequestWithSession } from 'holdfast/express';
import { PostgresStore } from 'holdfast/stores/postgres';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-postgres',
  label: 'holdfast/express + PostgresStore',
  suite: 'stores',
  role: 'holdfast',
  scenarios: ['read', 'write'],
  peer: 'express-session-connect-redis',
  bare: 'express',
  needsFiles: ['src/stores/postgres/index.ts'],
  services: ['postgres'],
  start: async (_scenario, env) => {
    const pool = new pg.Pool({ connectionString: env.postgresUrl, max: 10 });
    const table = `bench_hf_${process.pid}`;
    const store = new PostgresStore({ pool, table });
    const middleware = session({ secrets: env.secret, store });
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await middleware.sessions.close();
        await store.close();
        await pool.query(`DROP TABLE IF EXISTS ${table}`);
        await pool.end();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
