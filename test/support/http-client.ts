/** A tiny HTTP(S) client for tests: raw headers in, status + headers + Set-Cookie list out. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  body: string;
}

export interface TestRequest {
  port: number;
  path?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  tls?: boolean;
  host?: string;
}

export function send(req: TestRequest): Promise<TestResponse> {
  const make = req.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = make(
      {
        host: req.host ?? '127.0.0.1',
        port: req.port,
        path: req.path ?? '/',
        method: req.method ?? 'GET',
        headers: req.headers,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** `name=value` of the first Set-Cookie for `name`, ready for a Cookie header. */
export function cookiePair(res: TestResponse, name: string): string | undefined {
  const line = res.setCookies.find((c) => c.startsWith(`${name}=`));
  return line === undefined ? undefined : line.split(';')[0];
}

/** The attributes of the Set-Cookie for `name`, lower-cased keys. */
export function cookieAttributes(res: TestResponse, name: string): Record<string, string | true> | undefined {
  const line = res.setCookies.find((c) => c.startsWith(`${name}=`));
  if (line === undefined) return undefined;
  const out: Record<string, string | true> = {};
  for (const part of line.split(';').slice(1)) {
    const [k, ...v] = part.trim().split('=');
    out[(k as string).toLowerCase()] = v.length === 0 ? true : v.join('=');
  }
  return out;
}
