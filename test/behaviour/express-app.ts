/**
 * The behaviour-suite fixture for Express (5, and 4 through the `express4` alias): the route table
 * of ./fixture.ts on Express's own router, with holdfast/express mounted as middleware.
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, Response } from 'express';
import { session } from '../../src/adapters/express/index.ts';
import type { ExpressSessionOptions } from '../../src/adapters/express/index.ts';
import type { Session } from '../../src/core/session-types.ts';
import type { AppFixture, FixtureStartOptions, RunningApp } from './fixture.ts';
import { listen } from './listen.ts';

/** The express module's default export (`express()`); express 4 and 5 share this much. */
export type ExpressFactory = () => Express;

type Data = Record<string, unknown>;
type Handler = (req: Request, res: Response) => unknown;

export function sessionOf(req: Request): Session<Data> {
  return (req as unknown as { session: Session<Data> }).session;
}

/** Express 4 does not catch rejected promises from handlers: route every failure to next(err). */
function wrap(fn: Handler) {
  return (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };
}

function query(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
}

export const errorHandler: ErrorRequestHandler = (err: { status?: number; statusCode?: number }, _req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  res.status(err.status ?? err.statusCode ?? 500).type('text/plain').send('error');
};

/** Mount the route table of fixture.ts on an app whose session middleware is already in place. */
export function addRoutes(app: Express): void {
  app.get('/anon', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/read', (req, res) => {
    const s = sessionOf(req);
    res.json({ userId: s.userId, isNew: s.isNew, data: s.toJSON() });
  });
  app.get('/set', (req, res) => {
    const s = sessionOf(req);
    s[query(req, 'key')] = query(req, 'value');
    res.json(s.toJSON());
  });
  app.get('/push', (req, res) => {
    const s = sessionOf(req);
    ((s.list ??= []) as string[]).push(query(req, 'value'));
    res.json(s.toJSON());
  });
  app.post(
    '/login',
    wrap(async (req, res) => {
      const s = sessionOf(req);
      await s.login(query(req, 'user'));
      res.json({ userId: s.userId });
    }),
  );
  for (const name of ['logout', 'regenerate', 'destroy'] as const) {
    app.post(
      `/${name}`,
      wrap(async (req, res) => {
        await sessionOf(req)[name]();
        res.type('text/plain').send('ok');
      }),
    );
  }
  app.get(
    '/touch',
    wrap(async (req, res) => {
      await sessionOf(req).touch();
      res.type('text/plain').send('ok');
    }),
  );
  app.get('/fresh', (req, res) => {
    res.json({ fresh: sessionOf(req).isFresh(Number(query(req, 'maxAge'))) });
  });
  app.get('/cache', (req, res) => {
    res.set('Cache-Control', 'private, no-store, max-age=0');
    sessionOf(req).x = 'cached';
    res.type('text/plain').send('ok');
  });
  app.get('/stream', (req, res) => {
    sessionOf(req).s = 'streamed';
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('chunk1');
    setTimeout(() => res.end('chunk2'), 20);
  });
}

export function expressFixture(name: string, express: ExpressFactory): AppFixture {
  return {
    name,
    capabilities: { streaming: true, frameworkTrust: true },
    async start(options: FixtureStartOptions): Promise<RunningApp> {
      const app = express();
      if (options.trustProxyFromFramework !== undefined) app.set('trust proxy', options.trustProxyFromFramework);
      const mw = session(options.sessionOptions as unknown as ExpressSessionOptions);
      app.use(mw);
      addRoutes(app);
      app.use(errorHandler);
      const server = await listen(app, options.tls);
      return { port: server.port, tls: server.tls, engine: mw.sessions, close: server.close };
    },
  };
}
