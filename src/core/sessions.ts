/**
 * `createSessions(options)`: the engine every adapter wraps. Validates options (throwing a
 * ConfigError that says how to fix them), then answers per request with a SessionContext.
 */
import { EngineCore } from './engine-core.ts';
import { resolveOptions, assertStore, type SessionOptions } from './options.ts';
import type { SessionStore } from './store.ts';

/** The public engine. */
export type Sessions = EngineCore & {
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
): Sessions {
  const owned = options?.store === undefined;
  const resolved = resolveOptions(options, extraKeys);
  const store = owned ? defaultStore() : options.store;
  assertStore(store);
  const engine = new EngineCore(resolved, store) as Sessions;
  engine.close = async () => {
    if (owned) await store.close?.();
  };
  return engine;
}
