/**
 * A minimal node:http ⇄ fetch bridge: turns an IncomingMessage into a Web `Request`, calls a
 * fetch-style handler, and writes its `Response` back. This is what Next.js, React Router's node
 * adapters, SvelteKit's adapter-node or @hono/node-server do for you; here it is in plain sight,
 * with the two transport facts a Request cannot carry handed over explicitly.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';

export interface ConnectionInfo {
  /** The socket peer's address. */
  remoteAddress: string | undefined;
  /** Whether this socket is TLS (known from the socket, not from any header). */
  encrypted: boolean;
}

export type FetchHandler = (request: Request, info: ConnectionInfo) => Response | Promise<Response>;

export function toRequest(req: IncomingMessage, encrypted: boolean): Request {
  // The host comes from the client's Host header: fine for routing, never a security decision.
  const url = new URL(req.url ?? '/', `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    // Required by undici for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== '') res.statusMessage = response.statusText;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

/** A node:http request listener that serves a fetch-style handler. */
export function serveFetch(handler: FetchHandler): RequestListener {
  return (req, res) => {
    const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
    const info: ConnectionInfo = { remoteAddress: req.socket.remoteAddress, encrypted };
    Promise.resolve()
      .then(() => handler(toRequest(req, encrypted), info))
      .then((response) => sendResponse(res, response))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy(error instanceof Error ? error : undefined);
          return;
        }
        res.statusCode = 500;
        res.end('internal error');
      });
  };
}
