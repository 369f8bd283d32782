/**
 * Run the fetch-style example on node:http:
 *
 *   SESSION_SECRET=$(node_modules/.bin/node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))") \
 *     node_modules/.bin/node examples/web-fetch/server.ts
 *
 * then open http://localhost:3000. Sessions live in .holdfast/sessions.sqlite (the default store).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { serveFetch } from './node-bridge.ts';

const port = Number(process.env.PORT ?? 3000);
const secret = process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url');
if (process.env.SESSION_SECRET === undefined) console.warn('SESSION_SECRET is not set: using a random one, so sessions end when the server restarts');

const app = createApp({ secrets: secret });
// The socket tells the handler the peer address and whether the connection is TLS.
const server = createServer(serveFetch((request, info) => app.fetch(request, info)));
server.listen(port, () => console.log(`holdfast/web example on http://localhost:${port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void app.close();
  });
}
