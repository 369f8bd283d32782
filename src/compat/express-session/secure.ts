/**
 * "Is this request secure?" for the drop-in, and what to tell the operator when a Secure cookie
 * cannot be sent.
 *
 * Secure when express-session 1.19 says so (TLS socket; `proxy: true` and the first
 * X-Forwarded-Proto entry is https; otherwise Express's `req.secure`), OR when holdfast's transport
 * layer (src/core/transport.ts) says so with the same trust: `proxy: true` trusts every hop,
 * `proxy: false` none, unset means Express's `trust proxy` setting. The second opinion adds what
 * express-session does not understand (RFC 7239 `Forwarded`, `X-Forwarded-Ssl`, Azure's
 * `X-ARR-SSL`, `Front-End-Https`) and never turns a request express-session calls secure into an
 * insecure one, so no cookie that used to be sent is withheld.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { resolveTransport } from '../../core/transport.ts';
import type { TrustFn } from '../../core/trust-proxy.ts';
import { NodeRequestView } from '../../adapters/node/request-view.ts';

export interface ExpressBits {
  originalUrl?: string;
  secure?: boolean;
  app?: { get(setting: string): unknown };
}

type Req = IncomingMessage & ExpressBits;

const trustAll: TrustFn = () => true;

/** express-session's own issecure(). */
function legacySecure(req: Req, proxy: boolean | undefined): boolean {
  if ((req.socket as Partial<TLSSocket> | null)?.encrypted === true) return true;
  if (proxy === false) return false;
  if (proxy !== true) return req.secure === true;
  const header = req.headers['x-forwarded-proto'];
  const value = typeof header === 'string' ? header : '';
  const comma = value.indexOf(',');
  const proto = (comma === -1 ? value : value.slice(0, comma)).toLowerCase().trim();
  return proto === 'https';
}

/** The trust that applies: `proxy` when given, else Express's compiled `trust proxy`, else none. */
export function trustFor(req: Req, proxy: boolean | undefined): TrustFn | undefined {
  if (proxy === true) return trustAll;
  if (proxy === false) return undefined;
  const app = req.app;
  if (app === undefined || typeof app.get !== 'function' || !app.get('trust proxy')) return undefined;
  const fn = app.get('trust proxy fn');
  return typeof fn === 'function' ? (fn as TrustFn) : undefined;
}

export function isSecure(req: Req, proxy: boolean | undefined): boolean {
  if (legacySecure(req, proxy)) return true;
  const trust = trustFor(req, proxy);
  if (trust === undefined) return false;
  return resolveTransport(new NodeRequestView(req, req.originalUrl), trust, true).secure;
}

export interface SecureHint {
  key: string;
  message: string;
}

/**
 * Why a Secure cookie is being withheld on this (insecure) request, with the fix. Called only on
 * that path.
 */
export function insecureHint(req: Req, proxy: boolean | undefined): SecureHint {
  const view = new NodeRequestView(req, req.originalUrl);
  const proxied = resolveTransport(view, trustAll, true).secure;
  const head = 'express-session drop-in: a Secure session cookie was NOT sent, so this visitor gets no session';
  if (!proxied) {
    return {
      key: 'es-insecure:plain-http',
      message:
        `${head}: the request came over plain http and no proxy header says https. Serve the app over https; ` +
        "for local development over http use cookie.secure: 'auto' (Secure exactly when the request is https).",
    };
  }
  const which = whichHeader(req);
  const azure = which === 'X-ARR-SSL';
  const peer = (req.socket?.remoteAddress ?? 'a peer without an address').replace(/[^0-9A-Za-z:.%_[\]-]/g, '?').slice(0, 64);
  const where = azure ? 'Azure App Service (X-ARR-SSL), which terminates TLS in front of the app,' : `a proxy at ${peer} (${which})`;
  let fix: string;
  if (proxy === false) {
    fix = 'but the session option proxy: false tells it to ignore proxies. Remove proxy: false (and set Express\'s trust proxy) or set proxy: true';
  } else if (trustFor(req, proxy) === undefined) {
    fix = "but Express's 'trust proxy' is not set. Add app.set('trust proxy', 1) (one proxy hop in front of the app), or pass proxy: true to the session options";
  } else {
    fix = `but Express's 'trust proxy' setting does not trust ${peer}. Widen it (e.g. app.set('trust proxy', 1) for one hop) or pass proxy: true to the session options`;
  }
  return { key: `es-insecure:${azure ? 'azure' : which}:${peer}`, message: `${head}: ${where} says the request is https ${fix}.` };
}

function whichHeader(req: Req): string {
  const h = req.headers;
  if (h['x-arr-ssl']) return 'X-ARR-SSL';
  if (h['x-forwarded-proto']) return 'X-Forwarded-Proto';
  if (h.forwarded) return 'Forwarded';
  if (h['x-forwarded-ssl']) return 'X-Forwarded-Ssl';
  if (h['front-end-https']) return 'Front-End-Https';
  return 'a forwarding header';
}
