/** Start a node:http or node:https server on 127.0.0.1:0 for a fixture, with a close that never hangs. */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Listening {
  server: Server;
  port: number;
  tls: boolean;
  close(): Promise<void>;
}

export async function listen(handler: RequestListener, tls?: { key: string; cert: string }): Promise<Listening> {
  const server: Server = tls === undefined ? createHttpServer(handler) : createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    tls: tls !== undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
