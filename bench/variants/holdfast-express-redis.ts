/** holdfast/express + RedisStore with a node-redis v5 client (the same client as the connect-redis peer). */
import { session, type RequestWithSession } from 'holdfast/express';
import { RedisStore } from 'holdfast/stores/redis';
import { startExpress } from '../lib/express-app.ts';
import { nodeRedis } from '../lib/redis-client.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-redis',
  label: 'holdfast/express + RedisStore',
  suite: 'stores',
  role: 'holdfast',
  scenarios: ['read', 'write'],
  peer: 'express-session-connect-redis',
  bare: 'express',
  needsFiles: ['src/stores/redis/index.ts'],
  services: ['redis'],
  start: async (_scenario, env) => {
    const redis = await nodeRedis(env.redisUrl);
    const middleware = session({ secrets: env.secret, store: new RedisStore({ client: redis.client, prefix: `hfbench:${process.pid}:` }) });
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await middleware.sessions.close();
        await redis.close();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
