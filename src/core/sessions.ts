/**
 * The engine in two faces:
 * - `Engine` (internal): the whole EngineCore plus `close`, which adapters drive per request;
 * - `Sessions` (public): what an application may call — list, revoke, listen, close. It is a
 *   separate frozen object, so the store, the keyring and the per-request methods are not
 *   reachable from application code, at run time as well as in the types.
 */
import { EngineCore, type SessionInfo } from './engine-core.ts';
import type { Listener, SessionEventName } from './events.ts';
import { resolveOptions, assertStore, type SessionOptions } from './options.ts';
import type { SessionStore } from './store.ts';

/** The public engine: `session(options).sessions`, `app.sessions` (Fastify), `createSessions()`. */
export interface Sessions {
  /** The user's live sessions, most recently used first. */
  listSessions(userId: string): Promise<SessionInfo[]>;
  /** End one of the user's sessions by its handle. Resolves false when there is no such session. */
  revokeSession(userId: string, handle: string): Promise<boolean>;
  /** End every session of the user, except the one whose handle is `except`. Resolves with how many ended. */
  revokeAllSessions(userId: string, options?: { except?: string }): Promise<number>;
  /** Listen for an audit event; returns a function that stops listening. */
  on<K extends SessionEventName>(type: K, listener: Listener<K>): () => void;
  /** Close a store the engine opened itself (the default SQLite store); stores you pass in are left alone. */
  close(): Promise<void>;
}

/** The whole engine, for adapters. Not exported from any public entry point. */
export type Engine = EngineCore & {
  /** Close a store the engine opened itself (the default SQLite store); user stores are left alone. */
  close(): Promise<void>;
};

/**
 * Build an engine over an explicit store. `defaultStore` is called only when `options.store` is
 * absent; `extraKeys` are adapter-specific options that pass validation here.
 */
export function createEngine(
  options: SessionOptions,
  defaultStore: () => SessionStore,
  extraKeys: readonly string[] = [],
): Engine {
  const owned = options?.store === undefined;
  const resolved = resolveOptions(options, extraKeys);
  const store = owned ? defaultStore() : options.store;
  assertStore(store);
  const engine = new EngineCore(resolved, store) as Engine;
  engine.close = async () => {
    if (owned) await store.close?.();
  };
  return engine;
}

const facades = new WeakMap<Engine, Sessions>();
const engines = new WeakMap<Sessions, Engine>();

/** The public face of an engine (one per engine, frozen). */
export function publicSessions(engine: Engine): Sessions {
  let facade = facades.get(engine);
  if (facade === undefined) {
    facade = Object.freeze({
      listSessions: (userId: string) => engine.listSessions(userId),
      revokeSession: (userId: string, handle: string) => engine.revokeSession(userId, handle),
      revokeAllSessions: (userId: string, options?: { except?: string }) => engine.revokeAllSessions(userId, options),
      on: <K extends SessionEventName>(type: K, listener: Listener<K>) => engine.on(type, listener),
      close: () => engine.close(),
    });
    facades.set(engine, facade);
    engines.set(facade, engine);
  }
  return facade;
}

/**
 * The engine behind a public `Sessions` (for holdfast's own modules that take one, such as
 * CSRF protection bound to the session). Undefined for anything that is not one.
 */
export function engineOf(sessions: Sessions): Engine | undefined {
  return engines.get(sessions);
}
