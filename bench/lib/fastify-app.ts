/** A Fastify 5 app with the bench routes behind an optional session plugin. */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { anonymousBody, PATHS, readBody, setupBody, writeBody, type Bag } from './routes.ts';
import { HOST } from './serve.ts';
import type { Running } from './types.ts';

export interface FastifyVariantParts {
  /** Register the session plugin(s). */
  register?: (app: FastifyInstance) => Promise<void>;
  bag?: (request: FastifyRequest) => Bag;
  close?: () => Promise<void>;
}

const noSession = (): Bag => ({});

export async function startFastify(parts: FastifyVariantParts = {}): Promise<Running> {
  const bag = parts.bag ?? noSession;
  const app = Fastify({ logger: false });
  await parts.register?.(app);
  app.get(PATHS.anonymous, async () => anonymousBody());
  app.get(PATHS.read, async (request) => readBody(bag(request)));
  app.get(PATHS.write, async (request) => writeBody(bag(request)));
  app.get(PATHS.setup, async (request) => setupBody(bag(request)));
  await app.listen({ port: 0, host: HOST });
  const port = (app.server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      await app.close();
      await parts.close?.();
    },
  };
}
