/** holdfast/express + RedisStore with an ioredis client (the node-redis one is the main variant). Suite "extra". */
import { Redis } from 'ioredis';
import { session, type RequestWithSession } from 'holdfast/express';
import { RedisStore } from 'holdfast/stores/redis';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-redis-ioredis',
  label: 'holdfast/express + RedisStore (ioredis)',
  suite: 'extra',
  role: 'holdfast',
  scenarios: ['read', 'write'],
  peer: 'express-session-connect-redis',
  bare: 'express',
  needsFiles: ['src/stores/redis/index.ts'],
  services: ['redis'],
  start: async (_scenario, env) => {
    const client = new Redis(env.redisUrl);
    client.on('error', (error: Error) => console.error('redis client:', error.message));
    const middleware = session({ secrets: env.secret, store: new RedisStore({ client, prefix: `hfbench-io:${process.pid}:` }) });
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await middleware.sessions.close();
        client.disconnect();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
