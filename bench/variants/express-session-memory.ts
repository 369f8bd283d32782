/**
 * express-session 1.19 + its MemoryStore, configured the way people are told to:
 * secret, resave: false, saveUninitialized: false.
 */
import session from 'express-session';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'express-session-memory',
  label: 'express-session + MemoryStore',
  suite: 'core',
  role: 'peer',
  scenarios: ['anonymous', 'read', 'write'],
  bare: 'express',
  start: (_scenario, env) =>
    startExpress({
      middleware: session({ secret: env.secret, resave: false, saveUninitialized: false, store: new session.MemoryStore() }),
      bag: (req) => req.session as unknown as Bag,
    }),
});
export default variant;

if (import.meta.main) await serve(variant);
