/**
 * An emulation of Azure App Service's front end (IIS Application Request Routing): it terminates
 * TLS and forwards to the app over plain http, adding the headers ARR adds: `X-ARR-SSL` with the
 * certificate details (`keysize|secretkeysize|issuer|subject`), `X-Forwarded-For` with the
 * client's address AND port (`203.0.113.5:51234`), `X-Client-IP`, `X-Client-Port`,
 * `X-Original-URL`, `X-ARR-LOG-ID`, `DISGUISED-HOST`, `X-Site-Deployment-Id`. Like ARR on
 * Windows App Service it sends NO `X-Forwarded-Proto`, and it drops one the client sent, so the
 * only https signal the app gets is X-ARR-SSL.
 */
import { randomUUID } from 'node:crypto';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import { testCertificate } from '../../support/tls.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
const ADDED = ['x-forwarded-proto', 'x-arr-ssl', 'x-forwarded-for', 'x-client-ip', 'x-client-port', 'x-original-url', 'x-arr-log-id', 'disguised-host', 'x-site-deployment-id'];

export const ARR_SSL = '2048|256|CN=Microsoft Azure RSA TLS Issuing CA 03, O=Microsoft Corporation, C=US|CN=*.azurewebsites.net';

export interface ArrProxy {
  readonly port: number;
  readonly origin: string;
  /** The headers of every request forwarded to the app, in order. */
  readonly forwarded: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

export function startArrProxy(upstreamPort: number): Promise<ArrProxy> {
  const { key, cert } = testCertificate();
  const forwarded: IncomingHttpHeaders[] = [];
  const server = createServer({ key, cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && !ADDED.includes(name) && value !== undefined) headers[name] = value;
    }
    const ip = req.socket.remoteAddress ?? '';
    const clientPort = String(req.socket.remotePort ?? 0);
    Object.assign(headers, {
      'x-arr-ssl': ARR_SSL,
      'x-forwarded-for': `${ip}:${clientPort}`,
      'x-client-ip': ip,
      'x-client-port': clientPort,
      'x-original-url': req.url ?? '/',
      'x-arr-log-id': randomUUID(),
      'disguised-host': req.headers.host ?? '',
      'x-site-deployment-id': 'holdfast-e2e',
    });
    forwarded.push({ ...(headers as IncomingHttpHeaders) });
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers }, (up) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        origin: `https://127.0.0.1:${port}`,
        forwarded,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
