/** Bare node:http: the ceiling for everything else. */
import { createServer } from 'node:http';
import { serve, closeServer, listen } from '../lib/serve.ts';
import { defineVariant } from '../lib/types.ts';

const variant = defineVariant({
  name: 'node-http',
  label: 'node:http (bare)',
  suite: 'core',
  role: 'bare',
  scenarios: ['anonymous'],
  // Shown in the Express table, with its ratio to bare Express.
  bare: 'express',
  async start() {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('ok');
    });
    const port = await listen(server);
    return { port, close: () => closeServer(server) };
  },
});
export default variant;

if (import.meta.main) await serve(variant);
