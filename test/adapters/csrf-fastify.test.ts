/** holdfast/fastify csrf: the shared CSRF table over real HTTP. */
import { fastifyCsrfFixture } from '../csrf/http/fixtures/fastify.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify from 'fastify';
import holdfast, { csrf } from '../../src/adapters/fastify/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { send } from '../csrf/http/client.ts';

runCsrfSuite(fastifyCsrfFixture);

it("fastify: the default error handler answers 403 with Vary; unknown csrf options fail register", async () => {
  const app = Fastify({ forceCloseConnections: true });
  await app.register(holdfast, { secrets: 'f'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false });
  await app.register(csrf);
  app.post('/', async () => 'ok');
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const reply = await send(port, '/', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(reply.status, 403);
    assert.match(reply.body, /Forbidden/);
    assert.match(reply.vary ?? '', /Sec-Fetch-Site/);
  } finally {
    await app.close();
  }
  const bad = Fastify();
  await bad.register(holdfast, { secrets: 'f'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false });
  await assert.rejects(async () => {
    await bad.register(csrf, { allowOrigins: [] } as never);
    await bad.ready();
  }, /unknown csrf option "allowOrigins"/);
  await bad.close().catch(() => undefined);
});
