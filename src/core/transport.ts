/**
 * Transport: is this request secure, and who is the client? (design.md, the request path, step 2)
 *
 * Only headers added by a trusted proxy count. Understood: `Forwarded` (RFC 7239) `proto=`,
 * `X-Forwarded-Proto: https`, `X-Forwarded-Ssl: on`, `X-ARR-SSL` (Azure App Service: present with
 * any value) and `Front-End-Https: on`; any one of them from a trusted proxy makes the request
 * secure. The client address is proxy-addr's answer over `X-Forwarded-For` with the same trust,
 * or the `Forwarded: for=` chain when there is no `X-Forwarded-For`.
 *
 * Which entry of a multi-valued list counts. A proxy that *appends* (`X-Forwarded-Proto: https,
 * http`, `Forwarded: proto=https, proto=http`) keeps whatever the client sent on the left, so the
 * first entry is client-controlled. We walk the hops as proxy-addr walks `X-Forwarded-For`: the
 * socket peer is hop 0, then the forwarded addresses right to left; k is the number of
 * consecutive trusted hops (the peer is always checked; like proxy-addr, the leftmost address,
 * the client, is never asked). The entry that the outermost trusted proxy wrote is
 * `entries[len - k]`, clamped to `entries[0]` when the list has fewer entries than trusted hops
 * (a proxy that overwrites, like nginx's `proxy_set_header X-Forwarded-Proto $scheme`, leaves a
 * single entry). Example: client → appending proxy → app with trustProxy: 1 and a client that
 * sent `X-Forwarded-Proto: https` over plain http: the app sees `https, http`, k = 1, and takes
 * `http`. With trustProxy: true every forwarded hop is trusted, so prefer a hop count or
 * addresses when the proxy appends.
 *
 * Hot path: with none of the proxy headers present this is six header lookups and one result
 * object; nothing is parsed or split. Hostile input (huge or malformed headers, missing peer)
 * never throws: a malformed `Forwarded` header is ignored as a whole.
 */
import { forwardedNodeAddress, hasContent, listEntryFromRightIs, listHasEntry, parseForwarded, valueIs } from './forwarded-header.ts';
import type { ForwardedElement } from './forwarded-header.ts';
import type { TrustFn } from './trust-proxy.ts';

export interface TransportRequest {
  /** Socket peer address; undefined for unix sockets and destroyed sockets. */
  remoteAddress: string | undefined;
  /** Whether the socket itself is TLS. */
  encrypted: boolean;
  /** Header by lower-case name; repeated headers joined with ', '. */
  header(name: string): string | undefined;
}

/** A misconfiguration worth telling the operator about; `key` dedupes: one warning per cause. */
export interface TransportHint {
  key: string;
  message: string;
}

export interface Transport {
  secure: boolean;
  clientIp: string | undefined;
  hint: TransportHint | undefined;
}

/** Longest piece of request-derived text (the peer address) echoed into a hint. */
const MAX_ECHO = 64;

// Results of `walkHops` (module scratch, so the walk allocates nothing but the substrings).
let walkClient: string | undefined;
let walkHops = 0;

/** Position of the next `X-Forwarded-For` entry to read, right to left (see `nextXff`). */
let xffPos = 0;

/**
 * The next `X-Forwarded-For` entry to the left of `xffPos`, split exactly as the `forwarded`
 * package (used by proxy-addr) splits it: on ",", dropping empty entries and surrounding spaces.
 * A port is dropped (`203.0.113.9:51234`, `[2001:db8::1]:443`), as in a `Forwarded` node: Azure
 * App Service's ARR writes entries that way, and an address with a port matches no trust rule.
 */
function nextXff(header: string): string | undefined {
  let start = xffPos;
  let end = xffPos;
  for (let i = xffPos - 1; i >= 0; i--) {
    const c = header.charCodeAt(i);
    if (c === 0x20) {
      if (start === end) start = end = i;
    } else if (c === 0x2c) {
      if (start !== end) {
        xffPos = i;
        return forwardedNodeAddress(header.substring(start, end));
      }
      start = end = i;
    } else {
      start = i;
    }
  }
  xffPos = 0;
  return start !== end ? forwardedNodeAddress(header.substring(start, end)) : undefined;
}

/** proxy-addr's walk over `X-Forwarded-For`, the peer already trusted (hop 0). */
function walkXff(peer: string | undefined, xff: string, trust: TrustFn): void {
  walkClient = peer;
  walkHops = 1;
  xffPos = xff.length;
  let addr = nextXff(xff);
  while (addr !== undefined) {
    walkClient = addr;
    const further = nextXff(xff);
    if (further === undefined || !trust(addr, walkHops)) return;
    walkHops++;
    addr = further;
  }
}

/** The same walk over the `for=` nodes of `Forwarded` elements (a missing `for=` is `unknown`). */
function walkForwarded(peer: string | undefined, elements: readonly ForwardedElement[], trust: TrustFn): void {
  walkClient = peer;
  walkHops = 1;
  for (let i = elements.length - 1; i >= 0; i--) {
    const node = (elements[i] as ForwardedElement).for;
    const addr = node === undefined ? 'unknown' : forwardedNodeAddress(node);
    walkClient = addr;
    if (i === 0 || !trust(addr, walkHops)) return;
    walkHops++;
  }
}

function hasForNode(elements: readonly ForwardedElement[]): boolean {
  for (const el of elements) if (el.for !== undefined) return true;
  return false;
}

/** Resolve secure / client IP for one request. `trustConfigured` only shapes hint messages. */
export function resolveTransport(req: TransportRequest, trust: TrustFn, trustConfigured: boolean): Transport {
  const forwarded = req.header('forwarded');
  const xff = req.header('x-forwarded-for');
  const xfProto = req.header('x-forwarded-proto');
  const xfSsl = req.header('x-forwarded-ssl');
  const arrSsl = req.header('x-arr-ssl');
  const frontEnd = req.header('front-end-https');
  if (!forwarded && !xff && !xfProto && !xfSsl && !arrSsl && !frontEnd) {
    return { secure: req.encrypted === true, clientIp: req.remoteAddress, hint: undefined };
  }

  const peer = req.remoteAddress;
  const encrypted = req.encrypted === true;
  if (!trust(peer ?? '', 0)) {
    // Nothing forwarded counts; the client is the peer (proxy-addr's answer too).
    const hint = encrypted ? undefined : untrustedHint(peer, trustConfigured, forwarded, xfProto, xfSsl, arrSsl, frontEnd);
    return { secure: encrypted, clientIp: peer, hint };
  }

  let elements: ForwardedElement[] | null = null;
  if (forwarded) elements = parseForwarded(forwarded);
  if (xff) {
    walkXff(peer, xff, trust);
  } else if (elements !== null && hasForNode(elements)) {
    walkForwarded(peer, elements, trust);
  } else {
    walkClient = peer;
    walkHops = 1;
  }
  const clientIp = walkClient;
  const k = walkHops;

  let secure = encrypted;
  if (!secure && elements !== null && elements.length > 0) {
    const el = elements[elements.length - k < 0 ? 0 : elements.length - k] as ForwardedElement;
    secure = valueIs(el.proto, 'https');
  }
  if (!secure && xfProto) secure = listEntryFromRightIs(xfProto, k, 'https');
  if (!secure && xfSsl) secure = listEntryFromRightIs(xfSsl, k, 'on');
  // X-ARR-SSL carries certificate details with commas in them: presence is the signal.
  if (!secure && arrSsl) secure = hasContent(arrSsl);
  if (!secure && frontEnd) secure = listEntryFromRightIs(frontEnd, k, 'on');
  return { secure, clientIp, hint: undefined };
}

function forwardedSaysHttps(header: string): boolean {
  const elements = parseForwarded(header);
  if (elements === null) return false;
  for (const el of elements) if (valueIs(el.proto, 'https')) return true;
  return false;
}

/**
 * The peer address as shown in a hint: at most 64 characters, and only characters an address can
 * hold (an adapter may take the peer from somewhere less tidy than a socket).
 */
function echoPeer(peer: string): string {
  const cut = peer.length > MAX_ECHO ? `${peer.slice(0, MAX_ECHO - 3)}...` : peer;
  return cut.replace(/[^0-9A-Za-z:.%_[\]-]/g, '?');
}

/** A hint when an https signal came from a peer that trustProxy does not trust. */
function untrustedHint(
  peer: string | undefined,
  trustConfigured: boolean,
  forwarded: string | undefined,
  xfProto: string | undefined,
  xfSsl: string | undefined,
  arrSsl: string | undefined,
  frontEnd: string | undefined,
): TransportHint | undefined {
  const shown = peer ? echoPeer(peer) : undefined;
  const from = shown ?? 'a peer without an address (unix socket?)';
  // One warning per cause, not per address: a client that can change its source address must
  // not be able to make the log grow (the message names the first peer seen).

  if (arrSsl && hasContent(arrSsl)) {
    const notIn = trustConfigured ? `, which trustProxy does not trust` : '';
    return {
      key: 'untrusted:x-arr-ssl',
      message:
        `X-ARR-SSL seen from ${from}${notIn}: this looks like Azure App Service, which terminates TLS ` +
        'in front of your app; set trustProxy: true (or 1)',
    };
  }

  let name: string;
  let said: string;
  if (forwarded && forwardedSaysHttps(forwarded)) {
    name = 'Forwarded';
    said = 'proto=https';
  } else if (xfProto && listHasEntry(xfProto, 'https')) {
    name = 'X-Forwarded-Proto';
    said = 'https';
  } else if (xfSsl && listHasEntry(xfSsl, 'on')) {
    name = 'X-Forwarded-Ssl';
    said = 'on';
  } else if (frontEnd && listHasEntry(frontEnd, 'on')) {
    name = 'Front-End-Https';
    said = 'on';
  } else {
    return undefined;
  }

  let fix: string;
  if (!trustConfigured) {
    fix = `trustProxy is off; if ${shown ?? 'that peer'} is your TLS proxy set trustProxy: 1`;
  } else if (shown === undefined) {
    fix = 'a peer without an address cannot match addresses in trustProxy; if it is your TLS proxy set trustProxy: 1';
  } else {
    fix = `${shown} is not in trustProxy; add it (e.g. trustProxy: ['${shown}']) if it is your TLS proxy`;
  }
  return {
    key: `untrusted:${name.toLowerCase()}`,
    message: `request from ${from} had ${name}: ${said} but ${fix}`,
  };
}
