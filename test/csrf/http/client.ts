/** A tiny HTTP client for the CSRF suite: any method, headers, a Cookie header and an urlencoded form body. */
import { request } from 'node:http';

export interface SendOptions {
  method?: string;
  cookie?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
}

export interface Sent {
  status: number;
  body: string;
  vary: string | undefined;
  setCookies: string[];
}

export function send(port: number, path: string, options: SendOptions = {}): Promise<Sent> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const vary = res.headers.vary;
        resolve({ status: res.statusCode ?? 0, body: text, vary: Array.isArray(vary) ? vary.join(', ') : vary, setCookies: res.headers['set-cookie'] ?? [] });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `name=value` pairs of a reply's Set-Cookie lines, joined for a Cookie header (optionally only `name`). */
export function cookiesOf(sent: Sent, name?: string): string {
  return sent.setCookies
    .map((c) => c.slice(0, c.indexOf(';')))
    .filter((pair) => name === undefined || pair.startsWith(`${name}=`))
    .join('; ');
}
