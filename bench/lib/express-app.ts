/** An Express 5 app with the bench routes behind an optional session middleware. */
import { createServer } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { anonymousBody, PATHS, readBody, setupBody, writeBody, type Bag } from './routes.ts';
import { closeServer, listen } from './serve.ts';
import type { Running } from './types.ts';

export interface ExpressVariantParts {
  /** Session middleware, app.use()'d before the routes (so it runs on every request, as people mount it). */
  middleware?: RequestHandler;
  /** How a route reaches the session object. */
  bag?: (req: Request) => Bag;
  /** Extra cleanup after the server closed (store, client, pool). */
  close?: () => Promise<void>;
}

const noSession = (): Bag => ({});

export async function startExpress(parts: ExpressVariantParts = {}): Promise<Running> {
  const bag = parts.bag ?? noSession;
  const app = express();
  if (parts.middleware !== undefined) app.use(parts.middleware);
  app.get(PATHS.anonymous, (_req, res) => {
    res.send(anonymousBody());
  });
  app.get(PATHS.read, (req, res) => {
    res.send(readBody(bag(req)));
  });
  app.get(PATHS.write, (req, res) => {
    res.send(writeBody(bag(req)));
  });
  app.get(PATHS.setup, (req, res) => {
    res.send(setupBody(bag(req)));
  });
  const server = createServer(app);
  const port = await listen(server);
  return {
    port,
    async close() {
      await closeServer(server);
      await parts.close?.();
    },
  };
}
