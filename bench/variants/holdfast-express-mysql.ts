/** holdfast/express + MysqlStore on a mysql2 pool (10 connections), own table dropped afterwards. */
import mysql from 'mysql2/promise';
import { session, type RequestWithSession } from 'holdfast/express';
import { MysqlStore } from 'holdfast/stores/mysql';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-mysql',
  label: 'holdfast/express + MysqlStore',
  suite: 'stores',
  role: 'holdfast',
  scenarios: ['read', 'write'],
  peer: 'express-session-connect-redis',
  bare: 'express',
  needsFiles: ['src/stores/mysql/index.ts'],
  services: ['mysql'],
  start: async (_scenario, env) => {
    const pool = mysql.createPool({ uri: env.mysqlUrl, connectionLimit: 10 });
    const table = `bench_hf_${process.pid}`;
    const store = new MysqlStore({ pool, table });
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
