/**
 * @fastify/session 11 + @fastify/cookie, its default MemoryStore, saveUninitialized: false
 * (cookie.secure off: the bench speaks plain http).
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { startFastify } from '../lib/fastify-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';
import { importUntyped } from '../lib/untyped-import.ts';

interface GetSet {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** @fastify/session's documented get/set accessors behind the routes' `count` property. */
function bag(request: FastifyRequest): Bag {
  const s = (request as unknown as { session: GetSet }).session;
  return {
    get count() {
      return s.get('count');
    },
    set count(value: unknown) {
      s.set('count', value);
    },
  };
}

const variant = defineVariant({
  name: 'fastify-session',
  label: '@fastify/session + MemoryStore',
  suite: 'frameworks',
  role: 'peer',
  scenarios: ['anonymous', 'read', 'write'],
  bare: 'fastify',
  start: (_scenario, env) =>
    startFastify({
      register: async (app) => {
        // Untyped: its FastifyRequest.session declaration clashes with holdfast/fastify's in one tsc program.
        const { default: fastifySession } = await importUntyped<{ default: FastifyPluginAsync<Record<string, unknown>> }>('@fastify/session');
        await app.register(fastifyCookie);
        await app.register(fastifySession, { secret: env.secret, saveUninitialized: false, cookie: { secure: false } });
      },
      bag,
    }),
});
export default variant;

if (import.meta.main) await serve(variant);
