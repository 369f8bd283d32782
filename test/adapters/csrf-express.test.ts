/** holdfast/express csrf(): the shared CSRF table over real HTTP on Express 5 and Express 4, and the default error path. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import express from 'express';
import { csrf, session } from '../../src/adapters/express/index.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { listen } from '../behaviour/listen.ts';
import { send } from '../csrf/http/client.ts';
import { expressCsrfFixture } from '../csrf/http/fixtures/express.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';

const EXPRESS4: string = 'express4';
const express4 = ((await import(EXPRESS4)) as { default: typeof express }).default;

runCsrfSuite(expressCsrfFixture('express 5', express));
runCsrfSuite(expressCsrfFixture('express 4', express4));

it('express: without an error handler a refusal is a plain 403 "Forbidden" through finalhandler', async () => {
  const app = express();
  app.use(session({ secrets: 'x'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false }));
  app.use(csrf());
  app.post('/', (_req, res) => void res.send('ok'));
  const server = await listen(app);
  try {
    const reply = await send(server.port, '/', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(reply.status, 403);
    assert.match(reply.body, /Forbidden/);
    assert.match(reply.vary ?? '', /Sec-Fetch-Site/);
  } finally {
    await server.close();
  }
});

it('node:http: csrf() runs after session() as plain (req, res, next) middleware; header tokens only', async () => {
  const mw = session({ secrets: 'y'.repeat(8) + 'abcdefghijklmnopqrstuvwxyz', store: new MemoryStore({ sweepInterval: 0 }), production: false });
  const guard = csrf();
  const server = await listen((req, res) => {
    mw(req, res, (err) => {
      if (err !== undefined) throw err;
      guard(req, res, (e) => {
        res.statusCode = e === undefined ? 200 : 403;
        res.end(e === undefined ? 'ok' : 'Forbidden');
      });
    });
  });
  try {
    assert.equal((await send(server.port, '/', { method: 'POST', headers: { origin: 'http://evil.example' } })).status, 403);
    assert.equal((await send(server.port, '/', { method: 'POST', headers: { origin: `http://127.0.0.1:${server.port}` } })).status, 200);
  } finally {
    await server.close();
  }
});

it('csrf() before session(): a ConfigError through next(err), not a pass', async () => {
  const app = express();
  app.use(csrf());
  app.post('/', (_req, res) => void res.send('ok'));
  let seen: unknown;
  app.use(((err, _req, res, _next) => {
    seen = err;
    res.status(500).send('error');
  }) as express.ErrorRequestHandler);
  const server = await listen(app);
  try {
    assert.equal((await send(server.port, '/', { method: 'POST', headers: { origin: 'http://127.0.0.1' } })).status, 500);
    assert.match(String((seen as Error).message), /mount session\(\) from holdfast\/express before csrf\(\)/);
  } finally {
    await server.close();
  }
});
