/**
 * Drive the session engine without HTTP, for the unit tests beside src/core: a hand-made
 * RequestView, a MemoryStore wrapped in a store that records every call with its arguments, a
 * frozen clock, and every event collected.
 */
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { createEngine, type Engine } from '../../src/core/sessions.ts';
import type { RequestView } from '../../src/core/engine-core.ts';
import type { SessionContext } from '../../src/core/session-context.ts';
import type { SessionOptions } from '../../src/core/options.ts';
import type { SessionEventName } from '../../src/core/events.ts';
import type { SessionPatch, SessionRecord, SessionStore, TouchMeta, UserSessionEntry } from '../../src/core/store.ts';

export const SECRET = 'Qm9vdHN0cmFwLXNlY3JldC1mb3ItdW5pdC10ZXN0cw-7aZ';
export const START = Date.UTC(2030, 0, 1);

export type Op = 'get' | 'set' | 'patch' | 'touch' | 'destroy' | 'listByUser' | 'destroyByUser';
export interface Call {
  op: Op;
  args: unknown[];
}
/** none: pass through; reject: plain Error; hang: never settles; garbage: get answers junk; throw: throws synchronously. */
export type Mode = 'none' | 'reject' | 'hang' | 'garbage' | 'throw';

const WRITE_OPS: readonly Op[] = ['set', 'patch', 'touch', 'destroy', 'destroyByUser'];

export class RecordingStore implements SessionStore {
  readonly inner = new MemoryStore({ sweepInterval: 0, maxSessions: 100_000 });
  calls: Call[] = [];
  mode: Mode = 'none';
  /** Junk returned by get() in 'garbage' mode. */
  garbage: unknown = { meta: { createdAt: 'yesterday' }, data: 42 };

  /** Calls of these ops since the last reset. */
  of(...ops: Op[]): Call[] {
    return this.calls.filter((c) => ops.includes(c.op));
  }

  get writes(): Call[] {
    return this.of(...WRITE_OPS);
  }

  reset(): void {
    this.calls = [];
  }

  get(key: string): Promise<SessionRecord | null> {
    if (this.mode === 'garbage') {
      this.calls.push({ op: 'get', args: [key] });
      return Promise.resolve(this.garbage as SessionRecord);
    }
    return this.#run('get', [key], () => this.inner.get(key));
  }
  set(key: string, record: SessionRecord): Promise<void> {
    return this.#run('set', [key, { meta: { ...record.meta }, data: { ...record.data } }], () => this.inner.set(key, record));
  }
  patch(key: string, patch: SessionPatch): Promise<boolean> {
    const copy = { set: { ...patch.set }, unset: [...patch.unset], meta: patch.meta && { ...patch.meta } };
    return this.#run('patch', [key, copy], () => this.inner.patch(key, patch));
  }
  touch(key: string, meta: TouchMeta): Promise<boolean> {
    return this.#run('touch', [key, { ...meta }], () => this.inner.touch(key, meta));
  }
  destroy(key: string): Promise<void> {
    return this.#run('destroy', [key], () => this.inner.destroy(key));
  }
  listByUser(userId: string): Promise<UserSessionEntry[]> {
    return this.#run('listByUser', [userId], () => this.inner.listByUser(userId));
  }
  destroyByUser(userId: string, exceptKey?: string): Promise<number> {
    return this.#run('destroyByUser', [userId, exceptKey], () => this.inner.destroyByUser(userId, exceptKey));
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  #run<T>(op: Op, args: unknown[], call: () => Promise<T>): Promise<T> {
    this.calls.push({ op, args });
    if (this.mode === 'reject') return Promise.reject(new Error(`recording store: ${op} failed on purpose`));
    if (this.mode === 'hang') return new Promise<T>(() => undefined);
    if (this.mode === 'throw') throw new Error(`recording store: ${op} threw on purpose`);
    return call();
  }
}

export interface ViewInit {
  cookie?: string | undefined;
  secure?: boolean;
  ip?: string;
  method?: string;
  path?: string;
  userAgent?: string;
}

export function view(init: ViewInit = {}): RequestView {
  const headers: Record<string, string | undefined> = { cookie: init.cookie, 'user-agent': init.userAgent };
  return {
    method: init.method ?? 'GET',
    path: init.path ?? '/',
    remoteAddress: init.ip ?? '198.51.100.20',
    encrypted: init.secure ?? true,
    header: (name) => headers[name],
  };
}

const EVENT_NAMES: SessionEventName[] = ['created', 'login', 'logout', 'regenerated', 'destroyed', 'expired', 'rejected', 'revoked'];

export interface Harness {
  engine: Engine;
  store: RecordingStore;
  events: Record<string, unknown>[];
  now: () => number;
  advance(ms: number): void;
  /** Load a request's session, carrying `cookie` (a `name=value` pair) when given. */
  load(cookie?: string, init?: ViewInit): Promise<SessionContext>;
  /** Commit like an adapter does: the Set-Cookie value, or undefined. */
  commit(ctx: SessionContext): Promise<string | undefined>;
}

export function harness(options: Partial<SessionOptions> = {}): Harness {
  let now = START;
  const store = new RecordingStore();
  const engine = createEngine(
    { secrets: SECRET, production: false, store, clock: () => now, ...options },
    () => {
      throw new Error('no default store in unit tests');
    },
  );
  const events: Record<string, unknown>[] = [];
  for (const name of EVENT_NAMES) engine.on(name, (event) => events.push(event as unknown as Record<string, unknown>));
  return {
    engine,
    store,
    events,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    load: (cookie, init = {}) => engine.load(view({ ...init, cookie })),
    async commit(ctx) {
      const plan = ctx.beginCommit();
      if (!plan.pending) return plan.setCookie;
      return plan.done;
    },
  };
}

/** `name=value` of a Set-Cookie value, ready to send back as a Cookie header. */
export function pairOf(setCookie: string | undefined): string {
  if (setCookie === undefined) throw new Error('expected a Set-Cookie value');
  return setCookie.slice(0, setCookie.indexOf(';'));
}

/** Whether a Set-Cookie value deletes the cookie. */
export function isClear(setCookie: string | undefined): boolean {
  return setCookie !== undefined && /; Max-Age=0(;|$)/.test(setCookie) && setCookie.includes('=;');
}

/** Max-Age of a Set-Cookie value in seconds. */
export function maxAgeOf(setCookie: string | undefined): number | undefined {
  const match = /; Max-Age=(\d+)/.exec(setCookie ?? '');
  return match === null ? undefined : Number(match[1]);
}
