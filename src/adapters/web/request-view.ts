/**
 * The engine's view of a Web `Request` (fetch-style servers: Next.js, React Router, SvelteKit,
 * Astro, Bun, Deno, Hono off node).
 *
 * A Request carries no socket, so the two transport facts come from the caller:
 * - `remoteAddress`: the peer address, when the server exposes it (Bun `server.requestIP(req)`,
 *   Deno `info.remoteAddr`, node `req.socket.remoteAddress`); undefined otherwise.
 * - `encrypted`: the connection itself is TLS. Given explicitly by the caller when it knows;
 *   otherwise taken from the Request URL's `https:` only when the app said the URL is trustworthy
 *   (`trustRequestUrl`). A URL built by a node bridge (Next.js self-hosted, SvelteKit's
 *   adapter-node, React Router on Express) takes its scheme from `X-Forwarded-Proto`, a setting or
 *   a default rather than from the socket, so by default it proves nothing.
 */
import type { RequestView } from '../../core/engine-core.ts';

export class WebRequestView implements RequestView {
  readonly #request: Request;
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;

  constructor(request: Request, remoteAddress: string | undefined, encrypted: boolean | undefined, trustRequestUrl: boolean) {
    this.#request = request;
    this.remoteAddress = remoteAddress;
    this.encrypted = encrypted ?? (trustRequestUrl && request.url.startsWith('https:'));
  }

  get method(): string | undefined {
    return this.#request.method;
  }

  /** Path without the query string or fragment. */
  get path(): string | undefined {
    return pathOf(this.#request.url);
  }

  header(name: string): string | undefined {
    return this.#request.headers.get(name) ?? undefined;
  }
}

/** The path of an absolute URL (`scheme://authority/path?query`), without parsing the whole URL. */
export function pathOf(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme === -1) return undefined;
  const start = url.indexOf('/', scheme + 3);
  let end = url.length;
  const q = url.indexOf('?', scheme + 3);
  const h = url.indexOf('#', scheme + 3);
  if (q !== -1) end = q;
  if (h !== -1 && h < end) end = h;
  if (start === -1 || start > end) return '/';
  return url.slice(start, end);
}
