/**
 * Keeping credentials out of request logs: pino `redact` paths for the headers that carry them,
 * and serializers that scrub the same headers for applications that log raw `req` / `res`
 * objects (or pino-std-serializers' shapes) without a redact list.
 */

/** Request and response headers that carry a session, a token or a CSRF secret. */
export const SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  'cookie',
  'authorization',
  'proxy-authorization',
  'set-cookie',
  'x-csrf-token',
  'x-xsrf-token',
  'csrf-token',
  'x-refresh-token',
  'refresh-token',
]);

const SENSITIVE = new Set(SENSITIVE_HEADERS);

/** What replaces a scrubbed value (pino's own default censor). */
export const CENSOR = '[Redacted]';

const BODY_FIELDS = ['refresh_token', 'refreshToken', 'access_token', 'accessToken', 'id_token'];

/**
 * pino `redact` paths: every sensitive header on `req` / `res` as pino-http and pino's standard
 * serializers lay them out (`req.headers.*`, `res.headers.*`), the raw-object layouts
 * (`req.rawHeaders` is dropped by the serializers below instead) and token fields in a logged
 * body. Use as `pino({ redact: REDACT_PATHS })` or `redact: { paths: REDACT_PATHS, remove: true }`.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  ...SENSITIVE_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `res.headers["${name}"]`, `headers["${name}"]`]),
  ...BODY_FIELDS.flatMap((field) => [`req.body.${field}`, `body.${field}`]),
]);

type HeaderValue = string | number | readonly string[] | undefined;

/** A copy of `headers` (null prototype) with every sensitive header's value replaced by CENSOR. */
export function scrubHeaders(headers: Readonly<Record<string, HeaderValue>> | null | undefined): Record<string, HeaderValue> {
  const out = Object.create(null) as Record<string, HeaderValue>;
  if (headers === null || headers === undefined || typeof headers !== 'object') return out;
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SENSITIVE.has(name.toLowerCase()) && value !== undefined ? CENSOR : value;
  }
  return out;
}

interface RequestLike {
  id?: unknown;
  method?: string;
  url?: string;
  originalUrl?: string;
  headers?: Record<string, HeaderValue>;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
  remoteAddress?: string;
  remotePort?: number;
}

interface ResponseLike {
  statusCode?: number;
  headers?: Record<string, HeaderValue>;
  getHeaders?: () => Record<string, HeaderValue>;
}

/**
 * pino serializer for `req`: method, url, scrubbed headers, peer address. Takes a raw
 * IncomingMessage (Express: `originalUrl` wins) or an already serialized request object. Never
 * copies `rawHeaders`, the body or `req.session` (log the session through `sessionSerializer`).
 */
export function scrubRequest(req: unknown): unknown {
  if (req === null || typeof req !== 'object') return req;
  const r = req as RequestLike;
  return {
    id: r.id,
    method: r.method,
    url: r.originalUrl ?? r.url,
    headers: scrubHeaders(r.headers),
    remoteAddress: r.socket?.remoteAddress ?? r.remoteAddress,
    remotePort: r.socket?.remotePort ?? r.remotePort,
  };
}

/** pino serializer for `res`: status code and scrubbed headers (a raw ServerResponse's getHeaders()). */
export function scrubResponse(res: unknown): unknown {
  if (res === null || typeof res !== 'object') return res;
  const r = res as ResponseLike;
  const headers = typeof r.getHeaders === 'function' ? r.getHeaders() : r.headers;
  return { statusCode: r.statusCode, headers: scrubHeaders(headers) };
}
