/**
 * Per-test plumbing for the behaviour suite: boot a fixture over a counting MemoryStore with a
 * frozen clock, a capturing logger and every event recorded; sign and tamper cookie values.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SessionEvent, SessionEventName } from '../../src/core/events.ts';
import type { Logger } from '../../src/core/logger.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { TestClock } from '../support/clock.ts';
import { CountingStore } from '../support/counting-store.ts';
import { testCertificate } from '../support/tls.ts';
import { call, cookieHeader, type CallOptions, type Reply, type SetCookie } from './client.ts';
import type { AppFixture, RunningApp } from './fixture.ts';

/** Strong random secrets (valid in production too). */
export const SECRET = randomBytes(32).toString('base64url');
export const OLD_SECRET = randomBytes(32).toString('base64url');
export const OTHER_SECRET = randomBytes(32).toString('base64url');

/** Timeouts every suite app uses unless a test overrides them. */
export const IDLE_S = 30 * 60;
export const ANON_S = 10 * 60;
export const ABSOLUTE_S = 2 * 60 * 60;

const EVENT_NAMES: readonly SessionEventName[] = ['created', 'login', 'logout', 'regenerated', 'destroyed', 'expired', 'rejected', 'revoked'];

export interface BootOptions {
  /** Merged over the defaults (secrets, store, clock, logger, production: false, timeouts). */
  session?: Record<string, unknown>;
  tls?: boolean;
  trustProxyFromFramework?: boolean | number;
  /** Share a store between apps (e.g. secret rotation across a restart). */
  inner?: SessionStore;
}

export interface Harness {
  app: RunningApp;
  store: CountingStore;
  clock: TestClock;
  /** Misconfiguration warnings (logger.warn calls that are not events). */
  warnings: string[];
  events: SessionEvent[];
  request(path: string, options?: CallOptions): Promise<Reply>;
  /** Request with the cookie of a previous reply (the session cookie it set). */
  withCookie(cookie: SetCookie | string, path: string, options?: CallOptions): Promise<Reply>;
  eventsOf<K extends SessionEventName>(type: K): Array<Extract<SessionEvent, { type: K }>>;
  close(): Promise<void>;
}

export async function boot(fixture: AppFixture, options: BootOptions = {}): Promise<Harness> {
  const store = new CountingStore(options.inner ?? new MemoryStore({ sweepInterval: 0 }), { reads: fixture.storeReads ?? 'async' });
  const clock = new TestClock();
  const warnings: string[] = [];
  const events: SessionEvent[] = [];
  const logger: Logger = {
    info() {},
    error() {},
    warn(obj: object, msg?: string) {
      if (!('event' in obj)) warnings.push(msg ?? '');
    },
  };
  const sessionOptions: Record<string, unknown> = {
    secrets: SECRET,
    store,
    clock: clock.now,
    logger,
    production: false,
    idleTimeout: IDLE_S * 1000,
    anonymousTimeout: ANON_S * 1000,
    absoluteTimeout: ABSOLUTE_S * 1000,
    touchAfter: '1m',
    ...options.session,
  };
  const app = await fixture.start({
    sessionOptions,
    tls: options.tls === true ? testCertificate() : undefined,
    trustProxyFromFramework: options.trustProxyFromFramework,
  });
  for (const name of EVENT_NAMES) app.engine.on(name, (event) => events.push(event as SessionEvent));
  return {
    app,
    store,
    clock,
    warnings,
    events,
    request: (path, opts) => call(app, path, opts),
    withCookie: (cookie, path, opts) => call(app, path, { ...opts, cookie: typeof cookie === 'string' ? cookie : cookieHeader(cookie) }),
    eventsOf: <K extends SessionEventName>(type: K) => events.filter((e): e is Extract<SessionEvent, { type: K }> => e.type === type),
    close: () => app.close(),
  };
}

/** Boot, run, always close. */
export async function withApp(fixture: AppFixture, options: BootOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await boot(fixture, options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** The one session cookie a reply set; fails the test when there is not exactly one. */
export function onlyCookie(reply: Reply): SetCookie {
  if (reply.cookies.length !== 1) {
    throw new Error(`expected exactly one Set-Cookie, got ${reply.cookies.length}: ${JSON.stringify(reply.cookies.map((c) => c.raw))} (status ${reply.status})`);
  }
  return reply.cookies[0] as SetCookie;
}

/** A fresh 256-bit ID, base64url, like the engine makes. */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** `<id>.<mac>` exactly as holdfast signs. */
export function sign(id: string, secret: string = SECRET): string {
  return `${id}.${createHmac('sha256', secret).update(id).digest('base64url')}`;
}

/** Change the character at `index` to a different base64url character. */
export function tamper(value: string, index: number): string {
  const c = value[index];
  const replacement = c === 'A' ? 'B' : 'A';
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

/** The session ID part of a signed cookie value. */
export function idOf(value: string): string {
  return value.slice(0, value.indexOf('.'));
}
