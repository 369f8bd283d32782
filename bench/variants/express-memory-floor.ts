/**
 * The floor for any in-memory session middleware on Express: one middleware that finds a plain
 * object by the raw Cookie header in a Map, and nothing else: no signature, no hashing, no expiry,
 * no change tracking, no commit. Not a usable session library; it shows how far the ratio to
 * express-session + MemoryStore can go on this machine at all.
 */
import type { Request, RequestHandler } from 'express';
import { startExpress } from '../lib/express-app.ts';
import { PATHS, type Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

type WithBag = Request & { floorBag?: Bag };

const variant = defineVariant({
  name: 'express-memory-floor',
  label: 'floor: Express + one in-memory lookup',
  suite: 'core',
  role: 'floor',
  scenarios: ['read', 'write'],
  peer: 'express-session-memory',
  bare: 'express',
  start: async () => {
    const bags = new Map<string, Bag>();
    const middleware: RequestHandler = (req, res, next) => {
      const cookie = req.headers.cookie;
      if (req.path === PATHS.setup) {
        const bag: Bag = {};
        bags.set('floor=1', bag);
        (req as WithBag).floorBag = bag;
        res.setHeader('Set-Cookie', 'floor=1; Path=/; HttpOnly');
      } else if (cookie !== undefined) {
        (req as WithBag).floorBag = bags.get(cookie);
      }
      next();
    };
    return startExpress({ middleware, bag: (req) => (req as WithBag).floorBag ?? {} });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
