/** Fastify 5 + holdfast/fastify + MemoryStore, default options. */
import type { FastifyRequest } from 'fastify';
import { MemoryStore } from 'holdfast/stores/memory';
import holdfastFastify from '../../src/adapters/fastify/index.ts';
import { startFastify } from '../lib/fastify-app.ts';
import type { Bag } from '../lib/routes.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'holdfast-fastify',
  label: 'Fastify + holdfast + MemoryStore',
  suite: 'frameworks',
  role: 'holdfast',
  scenarios: ['anonymous', 'read', 'write'],
  peer: 'fastify-session',
  bare: 'fastify',
  needsFiles: ['src/adapters/fastify/index.ts'],
  start: (_scenario, env) => {
    const store = new MemoryStore();
    return startFastify({
      register: async (app) => {
        await app.register(holdfastFastify, { secrets: env.secret, store });
      },
      // Typed loosely: @fastify/session (the peer variant) declares request.session too.
      bag: (request: FastifyRequest) => (request as unknown as { session: Bag }).session,
      close: () => store.close(),
    });
  },
});
export default variant;

if (import.meta.main) await serve(variant);
