/** Bare Fastify 5: the "vs bare" baseline of the Fastify variants. */
import { startFastify } from '../lib/fastify-app.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'fastify',
  label: 'Fastify 5 (bare)',
  suite: 'frameworks',
  role: 'bare',
  scenarios: ['anonymous'],
  start: () => startFastify(),
});
export default variant;

if (import.meta.main) await serve(variant);
