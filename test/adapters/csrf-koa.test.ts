/** holdfast/koa csrf: the shared CSRF table over real HTTP. */
import { koaCsrfFixture } from '../csrf/http/fixtures/koa.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Koa from 'koa';
import { csrf, session } from '../../src/adapters/koa/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen } from '../behaviour/listen.ts';
import { send } from '../csrf/http/client.ts';

runCsrfSuite(koaCsrfFixture);

it("koa: without error middleware Koa's own onerror answers 403 'Forbidden' with Vary (err.headers)", async () => {
  const app = new Koa();
  app.silent = true;
  app.use(session({ secrets: 'k'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false }));
  app.use(csrf());
  app.use((ctx) => void (ctx.body = 'ok'));
  const server = await listen(app.callback());
  try {
    const reply = await send(server.port, '/', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(reply.status, 403);
    assert.equal(reply.body, 'Forbidden');
    assert.match(reply.vary ?? '', /Sec-Fetch-Site/);
  } finally {
    await server.close();
  }
});
