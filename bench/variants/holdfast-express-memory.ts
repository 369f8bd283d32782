/** holdfast/express + MemoryStore (holdfast/stores/memory), default options. */
import { session, type RequestWithSession } from 'holdfast/express';
import { MemoryStore } from 'holdfast/stores/memory';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-memory',
  label: 'holdfast/express + MemoryStore',
  suite: 'core',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'express-session-memory',
  bare: 'express',
  start: (_scenario, env) => {
    const store = new MemoryStore();
    const middleware = session({ secrets: env.secret, store });
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await middleware.sessions.close();
        await store.close();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
