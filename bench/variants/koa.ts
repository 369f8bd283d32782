/** Bare Koa 3: the "vs bare" baseline of the Koa variants. */
import { startKoa } from '../lib/koa-app.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'koa',
  label: 'Koa 3 (bare)',
  suite: 'frameworks',
  role: 'bare',
  scenarios: ['anonymous'],
  start: () => startKoa(),
});
export default variant;

if (import.meta.main) await serve(variant);
