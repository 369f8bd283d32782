/** Koa 3 + holdfast/koa + MemoryStore, default options. */
import type { Context } from 'koa';
import { MemoryStore } from 'holdfast/stores/memory';
import { session } from '../../src/adapters/koa/index.ts';
import { startKoa } from '../lib/koa-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-koa',
  label: 'Koa + holdfast + MemoryStore',
  suite: 'frameworks',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'koa-session',
  bare: 'koa',
  needsFiles: ['src/adapters/koa/index.ts'],
  start: (_scenario, env) => {
    const store = new MemoryStore();
    const middleware = session({ secrets: env.secret, store });
    return startKoa({
      middleware: () => middleware,
      bag: (ctx: Context) => ctx.session as Bag,
      close: async () => {
        await middleware.sessions.close();
        await store.close();
      },
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
