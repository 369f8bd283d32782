/** A Koa 3 app with the bench routes (a path switch, no router) behind an optional session middleware. */
import { createServer } from 'node:http';
import Koa, { type Context, type Middleware } from 'koa';
import { anonymousBody, PATHS, readBody, setupBody, writeBody, type Bag } from './routes.ts';
import { closeServer, listen } from './serve.ts';
import type { Running } from './types.ts';

export interface KoaVariantParts {
  /** Set up the app (keys) and return the session middleware. */
  middleware?: (app: Koa) => Middleware;
  bag?: (ctx: Context) => Bag;
  close?: () => Promise<void>;
}

const noSession = (): Bag => ({});

export async function startKoa(parts: KoaVariantParts = {}): Promise<Running> {
  const bag = parts.bag ?? noSession;
  const app = new Koa();
  if (parts.middleware !== undefined) app.use(parts.middleware(app));
  app.use(async (ctx) => {
    if (ctx.method !== 'GET') return;
    switch (ctx.path) {
      case PATHS.anonymous:
        ctx.body = anonymousBody();
        break;
      case PATHS.read:
        ctx.body = readBody(bag(ctx));
        break;
      case PATHS.write:
        ctx.body = writeBody(bag(ctx));
        break;
      case PATHS.setup:
        ctx.body = setupBody(bag(ctx));
        break;
    }
  });
  const server = createServer(app.callback());
  const port = await listen(server);
  return {
    port,
    async close() {
      await closeServer(server);
      await parts.close?.();
    },
  };
}
