/**
 * A stand-in for morgan with the same token registry and format compiler (morgan is not a
 * dependency): `morgan.token(name, fn)` stores the function on morgan itself, and a format string
 * is compiled with morgan's own token pattern `:name` / `:name[arg]`, an undefined value printing
 * "-". The middleware writes one line per response when it finishes, as morgan does by default.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MorganTokenFn } from '../../src/logging/morgan.ts';

export interface FakeMorgan {
  (format: string, options: { stream: { write(line: string): void } }): (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  token(name: string, fn: MorganTokenFn): FakeMorgan;
  [token: string]: unknown;
}

const TOKEN = /:([-\w]{2,})(?:\[([^\]]+)\])?/g;

/** morgan's built-in tokens this fake knows (and that registerMorganTokens may replace). */
const BUILT_IN: Record<string, MorganTokenFn> = {
  method: (req) => req.method,
  url: (req) => (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url,
  status: (_req, res) => (res.headersSent ? String(res.statusCode) : undefined),
  req: (req, _res, field) => {
    const value = field === undefined ? undefined : req.headers[field.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  },
  res: (_req, res, field) => {
    if (field === undefined || !res.headersSent) return undefined;
    const value = res.getHeader(field);
    return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
  },
};

export function fakeMorgan(): FakeMorgan {
  const morgan = function (format: string, options: { stream: { write(line: string): void } }) {
    return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      res.on('finish', () => {
        const line = format.replace(TOKEN, (_m, name: string, arg: string | undefined) => {
          const fn = morgan[name] as MorganTokenFn | undefined;
          return fn === undefined ? '-' : (fn(req, res, arg) ?? '-');
        });
        options.stream.write(`${line}\n`);
      });
      next();
    };
  } as FakeMorgan;
  morgan.token = (name: string, fn: MorganTokenFn) => {
    morgan[name] = fn;
    return morgan;
  };
  for (const [name, fn] of Object.entries(BUILT_IN)) morgan.token(name, fn);
  return morgan;
}
