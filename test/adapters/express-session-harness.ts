/**
 * Shared by the express-session drop-in tests: one app factory that mounts either the real
 * express-session 1.19 or holdfast/express-session on Express 5 or 4 with the same routes, a
 * cookie-jar client, and a store wrapper that counts (and can fail or stall) store calls.
 * Running the same scenario against both implementations is how the tests show "same behaviour".
 */
import type { Server } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import realSession from 'express-session';
import dropIn from '../../src/adapters/express-session/index.ts';
import type { ExpressSessionOptions } from '../../src/adapters/express-session/index.ts';
import { send, type TestResponse } from '../support/http-client.ts';
import { testCertificate } from '../support/tls.ts';

export type Impl = 'holdfast' | 'express-session';
export type ExpressFactory = () => Express;

// express4 ships no type declarations; its API used here is the one @types/express describes.
const EXPRESS4: string = 'express4';
const express4 = ((await import(EXPRESS4)) as { default: ExpressFactory }).default;

export const EXPRESS_VERSIONS: ReadonlyArray<readonly [string, ExpressFactory]> = [
  ['Express 5', express as unknown as ExpressFactory],
  ['Express 4', express4 as unknown as ExpressFactory],
];

export const SECRET = 'test-secret-for-the-drop-in-0123456789abcdef';

/** A silent logger that keeps what was warned. */
export function recordingLogger(): { warnings: string[]; info(): void; warn(obj: object, msg?: string): void; error(): void } {
  const warnings: string[] = [];
  return {
    warnings,
    info() {},
    warn(_obj: object, msg?: string) {
      warnings.push(msg ?? '');
    },
    error() {},
  };
}

type Cb = (err?: unknown, value?: unknown) => void;
type StoreMethod = 'get' | 'set' | 'destroy' | 'touch';

export interface Counting {
  counts: Record<StoreMethod, number>;
  /** Make the next call of this method fail with an error. */
  failNext: Set<StoreMethod>;
  /** Calls of these methods never answer. */
  hang: Set<StoreMethod>;
  reset(): void;
}

/** Patch a store instance so its calls are counted and can be failed or stalled. */
export function counting<S extends object>(store: S): S & Counting {
  const s = store as S & Counting & Record<StoreMethod, (...a: unknown[]) => unknown>;
  s.counts = { get: 0, set: 0, destroy: 0, touch: 0 };
  s.failNext = new Set();
  s.hang = new Set();
  s.reset = () => {
    s.counts = { get: 0, set: 0, destroy: 0, touch: 0 };
  };
  for (const method of ['get', 'set', 'destroy', 'touch'] as const) {
    const original = s[method];
    if (typeof original !== 'function') continue;
    s[method] = (...args: unknown[]) => {
      s.counts[method]++;
      if (s.hang.has(method)) return undefined;
      const cb = args[args.length - 1] as Cb | undefined;
      if (s.failNext.delete(method)) {
        const error = Object.assign(new Error(`injected ${method} failure`), { code: 'EINJECTED' });
        if (typeof cb === 'function') setImmediate(cb, error);
        return undefined;
      }
      return original.apply(s, args);
    };
  }
  return s;
}

export interface RunningApp {
  port: number;
  tls: boolean;
  close(): Promise<void>;
}

export interface AppOptions {
  impl: Impl;
  express?: ExpressFactory;
  options: Record<string, unknown>;
  tls?: boolean;
  /** Called with the app before the session middleware (settings such as 'trust proxy'). */
  configure?: (app: Express) => void;
}

type Req = Request & { session?: Record<string, unknown> & { [k: string]: unknown }; sessionID?: string; sessionStore?: unknown };

function q(req: Req, name: string): string {
  const v = req.query[name];
  return typeof v === 'string' ? v : '';
}

function data(sess: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (sess == null) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(sess)) if (key !== 'cookie') out[key] = sess[key];
  return out;
}

/** Start an app with the routes every test uses. */
export async function startApp(opts: AppOptions): Promise<RunningApp> {
  const app = (opts.express ?? (express as unknown as ExpressFactory))();
  opts.configure?.(app);
  const middleware =
    opts.impl === 'holdfast'
      ? dropIn(opts.options as ExpressSessionOptions)
      : realSession(opts.options as unknown as realSession.SessionOptions);
  app.use(middleware as RequestHandler);

  const r = (path: string, fn: (req: Req, res: Response) => void): void => {
    app.get(path, (req, res, next) => {
      try {
        fn(req as Req, res);
      } catch (error) {
        next(error);
      }
    });
  };
  r('/noop', (_req, res) => {
    res.send('ok');
  });
  r('/read', (req, res) => {
    res.json({ id: req.sessionID ?? null, data: data(req.session) });
  });
  r('/set', (req, res) => {
    (req.session as Record<string, unknown>)[q(req, 'k') || 'k'] = q(req, 'v');
    res.json({ id: req.sessionID, data: data(req.session) });
  });
  r('/push', (req, res) => {
    const s = req.session as Record<string, unknown>;
    ((s.list ??= []) as string[]).push(q(req, 'v'));
    res.json({ data: data(s) });
  });
  r('/same', (req, res) => {
    const s = req.session as Record<string, unknown>;
    const same = s.k;
    s.k = same; // assigning the value it already has is not a change
    res.json({ data: data(s) });
  });
  r('/maxage', (req, res) => {
    const s = req.session as Record<string, unknown> & { cookie: { maxAge: number } };
    s.cookie.maxAge = Number(q(req, 'ms'));
    s.remember = true;
    res.json({ data: data(s) });
  });
  r('/regenerate', (req, res) => {
    const s = req.session as unknown as { regenerate(cb: (err?: unknown) => void): void };
    s.regenerate((err) => {
      if (err) return res.status(500).send(String(err));
      (req.session as Record<string, unknown>).user = q(req, 'user') || 'ada';
      res.json({ id: req.sessionID, data: data(req.session) });
    });
  });
  r('/destroy', (req, res) => {
    const s = req.session as unknown as { destroy(cb: (err?: unknown) => void): void };
    s.destroy((err) => {
      if (err) return res.status(500).send(String(err));
      res.send('gone');
    });
  });
  r('/unset', (req, res) => {
    req.session = null as unknown as Req['session'];
    res.send('unset');
  });
  r('/save-then-change', (req, res) => {
    const s = req.session as Record<string, unknown> & { save(cb: (err?: unknown) => void): void };
    s.a = 1;
    s.save((err) => {
      if (err) return res.status(500).send(String(err));
      res.send('saved');
    });
  });
  r('/stream', (req, res) => {
    (req.session as Record<string, unknown>).streamed = true;
    res.write('part1 ');
    setImmediate(() => res.end('part2'));
  });
  r('/has-session', (req, res) => {
    res.json({ has: req.session !== undefined });
  });

  app.use((err: { status?: number; statusCode?: number; message?: string }, _req: unknown, res: Response, next: (e: unknown) => void) => {
    if (res.headersSent) return next(err);
    res.status(err.status ?? err.statusCode ?? 500).type('text/plain').send(`error: ${err.message ?? ''}`);
  });

  const cert = opts.tls ? testCertificate() : undefined;
  const server: Server = cert === undefined ? createHttpServer(app) : createHttpsServer({ key: cert.key, cert: cert.cert }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tls: cert !== undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A client with a one-cookie jar for the session cookie `name`. */
export class Client {
  readonly app: RunningApp;
  readonly name: string;
  cookie: string | undefined;

  constructor(app: RunningApp, name = 'connect.sid') {
    this.app = app;
    this.name = name;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    const all = { ...headers };
    if (this.cookie !== undefined && all.cookie === undefined) all.cookie = `${this.name}=${this.cookie}`;
    const res = await send({ port: this.app.port, path, headers: all, tls: this.app.tls });
    const line = res.setCookies.find((c) => c.startsWith(`${this.name}=`));
    if (line !== undefined) {
      const value = line.slice(this.name.length + 1).split(';')[0] as string;
      const expired = /expires=thu, 01 jan 1970/i.test(line);
      this.cookie = expired || value === '' ? undefined : value;
    }
    return res;
  }

  /** The session ID inside the current cookie (unsigned, decoded). */
  get id(): string | undefined {
    if (this.cookie === undefined) return undefined;
    const raw = decodeURIComponent(this.cookie);
    return raw.slice(2, raw.lastIndexOf('.'));
  }
}

export function json(res: TestResponse): { id?: string | null; data?: Record<string, unknown> | null; has?: boolean } {
  return JSON.parse(res.body) as { id?: string | null; data?: Record<string, unknown> | null };
}

/** The session cookie's Set-Cookie line, if any. */
export function sessionLine(res: TestResponse, name = 'connect.sid'): string | undefined {
  return res.setCookies.find((c) => c.startsWith(`${name}=`));
}

export { dropIn, realSession };
