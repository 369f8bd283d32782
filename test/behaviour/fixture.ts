/**
 * The contract between the shared HTTP behaviour suite (./suite.ts) and one adapter's test app.
 * Every adapter (Express 5, Express 4, node:http, Fastify, Koa, Hono, Web) implements it once in
 * its test file and calls `runBehaviourSuite(fixture)`.
 *
 * ROUTE TABLE — every fixture serves exactly these, with the same semantics. `session` is the
 * adapter's session object (req.session, request.session, ctx.session, c.get('session'), ...).
 * Query parameters are plain URL query parameters (`?key=a&value=b`); responses below are the
 * whole body. JSON bodies are sent with `Content-Type: application/json`, text with text/plain.
 *
 *   GET  /anon              never touches the session at all (not even reads it)  → 200 'ok'
 *   GET  /read              → 200 JSON { userId: session.userId, isNew: session.isNew, data: session.toJSON() }
 *   GET  /set?key=k&value=v session[k] = v (v is the string as given)             → 200 JSON session.toJSON()
 *   GET  /push?value=v      (session.list ??= []).push(v)   (nested mutation)      → 200 JSON session.toJSON()
 *   POST /login?user=u      await session.login(u)                                → 200 JSON { userId: session.userId }
 *   POST /logout            await session.logout()                                → 200 'ok'
 *   POST /regenerate        await session.regenerate()                            → 200 'ok'
 *   POST /destroy           await session.destroy()                               → 200 'ok'
 *   GET  /touch             await session.touch()                                 → 200 'ok'
 *   GET  /fresh?maxAge=ms   → 200 JSON { fresh: session.isFresh(Number(maxAge)) }
 *   GET  /cache             the app sets `Cache-Control: private, no-store, max-age=0`, then
 *                           session.x = 'cached'                                  → 200 'ok'
 *   GET  /stream            (only when capabilities.streaming) session.s = 'streamed'; then the
 *                           app sends status 200 + headers and writes a first chunk 'chunk1'
 *                           (headers leave the server now), waits ~20 ms, writes 'chunk2' and
 *                           ends                                                   → 200 'chunk1chunk2'
 *   anything else           → 404
 *
 * Request bodies are never sent (POST routes take their input from the query string).
 *
 * ERRORS: anything thrown or rejected by the session layer (e.g. a StoreError when the store
 * fails or times out) goes through the framework's own error path (Express: next(err); Fastify:
 * its error handler; Koa: a try/catch middleware; Hono: app.onError; ...). The fixture's error
 * handler answers with `error.status ?? error.statusCode ?? 500` and the body 'error'. A fixture
 * must never crash the process on a request.
 *
 * OPTIONS: `sessionOptions` is passed to the adapter unchanged (it always contains `secrets` and
 * `store`, often `clock`, `logger`, `production`, `trustProxy`, `storeTimeout`, timeouts). The
 * fixture adds nothing to it.
 *
 * TLS: when `tls` is given, serve https with that PEM key/cert (node:https); otherwise plain http.
 * Listen on 127.0.0.1, port 0 (the suite connects to 127.0.0.1).
 *
 * FRAMEWORK PROXY TRUST: `trustProxyFromFramework` (only when capabilities.frameworkTrust) sets the
 * FRAMEWORK's own proxy trust and leaves holdfast's `trustProxy` unset: Express
 * `app.set('trust proxy', v)`, Fastify `Fastify({ trustProxy: v })`, Koa `app.proxy = true` (+
 * `app.maxIpsCount` for a number). Fixtures whose framework has no such setting leave
 * capabilities.frameworkTrust unset and ignore the option.
 *
 * CLOSE: `close()` stops the server and must not hang on keep-alive connections
 * (call `server.closeAllConnections()` before/after `server.close()`); it does not close the store.
 */
import type { Sessions } from '../../src/core/sessions.ts';

export interface FixtureCapabilities {
  /** The framework lets a handler send headers before the body ends; /stream is implemented. */
  streaming?: boolean;
  /** The framework has its own proxy-trust setting that the adapter honours (see above). */
  frameworkTrust?: boolean;
}

export interface FixtureStartOptions {
  sessionOptions: Record<string, unknown>;
  tls?: { key: string; cert: string };
  trustProxyFromFramework?: boolean | number;
}

export interface RunningApp {
  port: number;
  /** Whether the server speaks https. */
  tls: boolean;
  /** The holdfast engine the adapter created (for events: engine.on('rejected', ...)). */
  engine: Sessions;
  close(): Promise<void>;
}

export interface AppFixture {
  /** Shown in test names, e.g. 'express 5'. */
  name: string;
  capabilities?: FixtureCapabilities;
  /**
   * How the suite's store answers reads: 'sync' offers `getSync` (the engine's path for
   * MemoryStore and SqliteStore), 'async' only `get` (network stores). Set by runBehaviourSuite,
   * which runs every case both ways.
   */
  storeReads?: 'sync' | 'async';
  start(options: FixtureStartOptions): Promise<RunningApp>;
}
