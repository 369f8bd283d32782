/**
 * express-session 1.19 + connect-redis 9 with a node-redis v5 client: the usual shared-store
 * setup (secret, resave: false, saveUninitialized: false).
 */
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { startExpress } from '../lib/express-app.ts';
import { nodeRedis } from '../lib/redis-client.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'express-session-connect-redis',
  label: 'express-session + connect-redis',
  suite: 'stores',
  role: 'peer',
  scenarios: ['read', 'write'],
  bare: 'express',
  services: ['redis'],
  start: async (_scenario, env) => {
    const redis = await nodeRedis(env.redisUrl);
    const store = new RedisStore({ client: redis.client, prefix: `esbench:${process.pid}:` });
    return startExpress({
      middleware: session({ secret: env.secret, resave: false, saveUninitialized: false, store }),
      bag: (req) => req.session as unknown as Bag,
      close: redis.close,
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
