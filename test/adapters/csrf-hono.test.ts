/** holdfast/hono csrf: the shared CSRF table over real HTTP. */
import { honoCsrfFixture } from '../csrf/http/fixtures/hono.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { csrf, session } from '../../src/adapters/hono/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen } from '../behaviour/listen.ts';
import { send } from '../csrf/http/client.ts';

runCsrfSuite(honoCsrfFixture);

it("hono: without app.onError the refusal is 403 'Forbidden' with Vary", async () => {
  const app = new Hono();
  app.use(session({ secrets: 'h'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false }) as never);
  app.use(csrf());
  app.post('/', (c) => c.text('ok'));
  const server = await listen(getRequestListener(app.fetch));
  try {
    const reply = await send(server.port, '/', { method: 'POST', headers: { origin: 'null' } });
    assert.equal(reply.status, 403);
    assert.equal(reply.body, 'Forbidden');
    assert.match(reply.vary ?? '', /Sec-Fetch-Site/);
  } finally {
    await server.close();
  }
});
