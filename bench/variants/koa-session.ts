/**
 * koa-session 7 with its defaults, the way its README sets it up: app.keys, the session kept in
 * a signed cookie (no server-side store), no rolling.
 */
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { startKoa } from '../lib/koa-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';
import { importUntyped } from '../lib/untyped-import.ts';

type KoaSession = (options: Record<string, unknown>, app: Koa) => Middleware;

const variant = defineVariant({
  name: 'koa-session',
  label: 'koa-session (cookie store)',
  suite: 'frameworks',
  role: 'peer',
  scenarios: ['anonymous', 'read', 'write'],
  bare: 'koa',
  start: async (_scenario, env) => {
    // Untyped: its Context.session declaration clashes with holdfast/koa's in one tsc program.
    const { default: koaSession } = await importUntyped<{ default: KoaSession }>('koa-session');
    return startKoa({
      middleware: (app) => {
        app.keys = [env.secret];
        return koaSession({}, app);
      },
      bag: (ctx: Context) => (ctx as unknown as { session: Bag }).session,
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
