/**
 * holdfast/express + MemoryStore with csrf() mounted on every request, as an app that protects
 * its forms mounts it: what CSRF protection adds to the request path. The bench routes are GETs,
 * so this measures csrf() on safe requests (the common case); the unsafe-request costs
 * (Sec-Fetch-Site ~0.05 µs, Origin ~0.2 µs, token ~3.7 µs) are in-process figures in docs/csrf.md.
 */
import express from 'express';
import { csrf, session, type RequestWithSession } from 'holdfast/express';
import { MemoryStore } from 'holdfast/stores/memory';
import { startExpress } from '../lib/express-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-express-memory-csrf',
  label: 'holdfast/express + MemoryStore + csrf()',
  suite: 'core',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'express-session-memory',
  bare: 'express',
  start: (_scenario, env) => {
    const store = new MemoryStore();
    const sessions = session({ secrets: env.secret, store });
    const middleware = express.Router().use(sessions, csrf());
    return startExpress({
      middleware,
      bag: (req) => (req as unknown as RequestWithSession).session as Bag,
      close: async () => {
        await sessions.sessions.close();
        await store.close();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
