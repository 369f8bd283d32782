/** holdfast/express + SqliteStore on a temp file (WAL), default options. */
import { join } from 'node:path';
import { session, type RequestWithSession } from 'holdfast/express';
import { SqliteStore } from 'holdfast/stores/sqlite';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-sqlite',
  label: 'holdfast/express + SqliteStore',
  suite: 'core',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'express-session-memory',
  bare: 'express',
  start: (_scenario, env) => {
    const store = new SqliteStore({ path: join(env.tmpDir, 'sessions.sqlite') });
    const middleware = session({ secrets: env.secret, store });
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await middleware.sessions.close();
        await store.close?.();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
