/**
 * holdfast/csrf options: validated once, every mistake a ConfigError that says how to fix it.
 */
import { parseDuration, type Duration } from '../core/duration.ts';
import { ConfigError } from '../core/errors.ts';
import { normaliseOrigin } from './origins.ts';

export interface CsrfOptions {
  /**
   * Origins (besides the request's own) allowed to send state-changing requests, exactly as the
   * browser writes them: `https://app.example.com`. No wildcards. Default none.
   */
  allowedOrigins?: readonly string[];
  /** Accept `Sec-Fetch-Site: same-site` (a sibling subdomain). Default false. */
  allowSameSite?: boolean;
  /** Let refused requests through, emitting the `csrf-refused` event (reportOnly: true). Default false. */
  reportOnly?: boolean;
  /** How long the token of the previous session ID still counts after login / regenerate (0: not at all). Default '60s'. */
  rotationGrace?: Duration;
  /** Lifetime of the pre-session cookie that binds tokens rendered before any session exists. Default '1h'. */
  preSessionMaxAge?: Duration;
  /** Request header carrying the token. Default 'x-csrf-token'. */
  headerName?: string;
  /** Form field carrying the token (read from a body the framework parsed). Default '_csrf'. */
  fieldName?: string;
}

export interface ResolvedCsrfOptions {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowSameSite: boolean;
  readonly reportOnly: boolean;
  readonly rotationGraceMs: number;
  readonly preSessionMaxAgeMs: number;
  readonly headerName: string;
  readonly fieldName: string;
}

const KNOWN = new Set(['allowedOrigins', 'allowSameSite', 'reportOnly', 'rotationGrace', 'preSessionMaxAge', 'headerName', 'fieldName']);
const TOKEN_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function resolveCsrfOptions(options: CsrfOptions = {}): ResolvedCsrfOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('csrf options must be an object (or left out)');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      const hint = key === 'origins' || key === 'trustedOrigins' ? '; holdfast calls it "allowedOrigins"' : '';
      throw new ConfigError(`unknown csrf option "${key}"${hint}; known: ${[...KNOWN].join(', ')}`);
    }
  }
  const origins = options.allowedOrigins ?? [];
  if (!Array.isArray(origins)) throw new ConfigError('csrf allowedOrigins must be an array of origins like ["https://app.example.com"]');
  const allowedOrigins = new Set(origins.map((o: unknown, i: number) => normaliseOrigin(o, `csrf allowedOrigins[${i}]`)));
  const bool = (name: 'allowSameSite' | 'reportOnly'): boolean => {
    const v = options[name] ?? false;
    if (typeof v !== 'boolean') throw new ConfigError(`csrf ${name} must be true or false`);
    return v;
  };
  const name = (key: 'headerName' | 'fieldName', fallback: string): string => {
    const v = options[key] ?? fallback;
    if (typeof v !== 'string' || !TOKEN_NAME.test(v)) throw new ConfigError(`csrf ${key} must be a plain name like "${fallback}"`);
    return key === 'headerName' ? v.toLowerCase() : v;
  };
  const rotationGraceMs = options.rotationGrace === 0 ? 0 : parseDuration('csrf rotationGrace', options.rotationGrace ?? '60s');
  const preSessionMaxAgeMs = parseDuration('csrf preSessionMaxAge', options.preSessionMaxAge ?? '1h');
  if (preSessionMaxAgeMs < 60_000) throw new ConfigError('csrf preSessionMaxAge must be at least a minute (a login form must stay usable)');
  return {
    allowedOrigins,
    allowSameSite: bool('allowSameSite'),
    reportOnly: bool('reportOnly'),
    rotationGraceMs,
    preSessionMaxAgeMs,
    headerName: name('headerName', 'x-csrf-token'),
    fieldName: name('fieldName', '_csrf'),
  };
}
