/**
 * The floor for any session middleware on Redis: Express plus the Redis round trips a server-side
 * session cannot avoid with the same node-redis client (one HGETALL before the handler, one HSET
 * after it when the session changed), and nothing else: no signature, no hashing, no expiry, no
 * change tracking beyond one value, no cookie after the first. Not a usable session library; it
 * shows how far the ratio to express-session + connect-redis can go on this machine at all.
 */
import type { Request, RequestHandler, Response } from 'express';
import { startExpress } from '../lib/express-app.ts';
import { nodeRedis } from '../lib/redis-client.ts';
import { PATHS, type Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

type WithBag = Request & { floorBag?: Bag };
type End = (this: Response, ...args: unknown[]) => Response;

const variant = defineVariant({
  name: 'express-redis-floor',
  label: 'floor: Express + node-redis round trips only',
  suite: 'stores',
  role: 'floor',
  scenarios: ['read', 'write'],
  peer: 'express-session-connect-redis',
  bare: 'express',
  services: ['redis'],
  start: async (_scenario, env) => {
    const redis = await nodeRedis(env.redisUrl);
    const client = redis.client;
    const key = `floorbench:${process.pid}`;
    const middleware: RequestHandler = (req, res, next) => {
      const setup = req.path === PATHS.setup;
      if (req.headers.cookie === undefined && !setup) {
        next();
        return;
      }
      client.sendCommand(['HGETALL', key]).then((reply) => {
        const fields = reply as unknown as string[];
        const bag: Bag = {};
        for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'count') bag.count = JSON.parse(fields[i + 1] as string) as unknown;
        const before = bag.count;
        (req as WithBag).floorBag = bag;
        if (setup) res.setHeader('Set-Cookie', 'floor=1; Path=/; HttpOnly');
        const end = res.end as unknown as End;
        res.end = function (this: Response, ...args: unknown[]) {
          if (bag.count === before) return end.apply(this, args);
          client.sendCommand(['HSET', key, 'count', JSON.stringify(bag.count)]).then(() => end.apply(res, args), next);
          return res;
        } as Response['end'];
        next();
      }, next);
    };
    return startExpress({
      middleware,
      bag: (req) => (req as WithBag).floorBag ?? {},
      close: async () => {
        await client.del(key);
        await redis.close();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
