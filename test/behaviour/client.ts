/**
 * The suite's HTTP(S) client: talks to a RunningApp, returns status, headers, the Set-Cookie lines
 * parsed, the body, and when the headers and the end arrived (to tell streamed headers apart).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RunningApp } from './fixture.ts';

export interface SetCookie {
  name: string;
  value: string;
  /** Attributes with lower-cased names; flags are `true`. */
  attrs: Record<string, string | true>;
  raw: string;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  cookies: SetCookie[];
  body: string;
  /** performance.now() when the response head arrived, and when its body ended. */
  headAt: number;
  endAt: number;
}

export interface CallOptions {
  method?: string;
  /** A Cookie header value. */
  cookie?: string;
  headers?: Record<string, string>;
  /** Keep-alive agent for many requests; default: a fresh connection per request. */
  agent?: HttpAgent | HttpsAgent;
}

export function call(app: RunningApp, path: string, options: CallOptions = {}): Promise<Reply> {
  const make = app.tls ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  return new Promise((resolve, reject) => {
    const req = make(
      {
        host: '127.0.0.1',
        port: app.port,
        path,
        method: options.method ?? 'GET',
        headers,
        rejectUnauthorized: false,
        agent: options.agent ?? false,
      },
      (res) => {
        const headAt = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            cookies: (res.headers['set-cookie'] ?? []).map(parseSetCookie),
            body: Buffer.concat(chunks).toString('utf8'),
            headAt,
            endAt: performance.now(),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function keepAliveAgent(app: RunningApp): HttpAgent | HttpsAgent {
  return app.tls ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
}

export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...parts] = raw.split(';');
  const eq = pair.indexOf('=');
  const attrs: Record<string, string | true> = {};
  for (const part of parts) {
    const trimmed = part.trim();
    const i = trimmed.indexOf('=');
    if (i === -1) attrs[trimmed.toLowerCase()] = true;
    else attrs[trimmed.slice(0, i).toLowerCase()] = trimmed.slice(i + 1);
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, raw };
}

/** `name=value` for a Cookie header, from the one session cookie a reply set. */
export function cookieHeader(cookie: SetCookie): string {
  return `${cookie.name}=${cookie.value}`;
}

export function json<T = Record<string, unknown>>(reply: Reply): T {
  return JSON.parse(reply.body) as T;
}
