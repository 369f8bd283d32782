/** Bare Express 5, no session middleware: the "vs bare" baseline of every Express variant. */
import { startExpress } from '../lib/express-app.ts';
import { serve } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'express',
  label: 'Express 5 (bare)',
  suite: 'core',
  role: 'bare',
  scenarios: ['anonymous'],
  start: () => startExpress(),
});
export default variant;

if (import.meta.main) await serve(variant);
