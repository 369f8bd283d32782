/** One HTTP(S) GET for `holdfast doctor`: no redirects followed, the raw Set-Cookie lines kept. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface Fetched {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  /** The negotiated TLS version ("TLSv1.3"), for https. */
  tlsVersion: string | undefined;
}

export interface FetchOptions {
  /** Accept a self-signed or otherwise unverifiable certificate. */
  insecure?: boolean;
  timeout?: number;
}

export function fetchOnce(url: URL, options: FetchOptions = {}): Promise<Fetched> {
  const https = url.protocol === 'https:';
  const make = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'holdfast-doctor', accept: 'text/html,*/*' },
        agent: false,
        timeout: options.timeout ?? 10_000,
        ...(https ? { rejectUnauthorized: options.insecure !== true } : {}),
      },
      (res) => {
        const tlsVersion = https ? ((res.socket as TLSSocket).getProtocol?.() ?? undefined) : undefined;
        res.resume();
        res.on('end', () =>
          resolve({ url: url.href, status: res.statusCode ?? 0, headers: res.headers, setCookies: res.headers['set-cookie'] ?? [], tlsVersion: tlsVersion ?? undefined }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${options.timeout ?? 10_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}
