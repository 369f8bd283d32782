/** The engine's view of a node:http request (Express, Connect, Fastify and Koa all sit on one). */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestView } from '../../core/engine-core.ts';

export class NodeRequestView implements RequestView {
  readonly #req: IncomingMessage;
  readonly #url: string | undefined;

  /** `url` overrides req.url for frameworks that rewrite it (Express's originalUrl). */
  constructor(req: IncomingMessage, url?: string) {
    this.#req = req;
    this.#url = url;
  }

  get method(): string | undefined {
    return this.#req.method;
  }

  /** Path without the query string (which may carry tokens that must not reach logs). */
  get path(): string | undefined {
    const url = this.#url ?? this.#req.url;
    if (url === undefined) return undefined;
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  }

  get remoteAddress(): string | undefined {
    return this.#req.socket.remoteAddress;
  }

  get encrypted(): boolean {
    return (this.#req.socket as Partial<TLSSocket>).encrypted === true;
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}
