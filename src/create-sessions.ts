/**
 * `createSessions(options)`: the public engine (list, revoke, listen, close) with holdfast's
 * embedded default store (SQLite in `.holdfast/sessions.sqlite` under the working directory) when
 * none is given. Adapters build the whole engine with `createDefaultEngine`.
 */
import { createEngine, publicSessions, type Engine, type Sessions } from './core/sessions.ts';
import type { SessionOptions } from './core/options.ts';
import { SqliteStore } from './stores/sqlite/index.ts';

export const DEFAULT_SQLITE_PATH = '.holdfast/sessions.sqlite';

/** The engine for management code (an admin process listing or revoking a user's sessions). */
export function createSessions(options: SessionOptions): Sessions {
  return publicSessions(createDefaultEngine(options));
}

/** The whole engine, for adapters; `extraKeys` are the adapter's own options. Internal. */
export function createDefaultEngine(options: SessionOptions, extraKeys: readonly string[] = []): Engine {
  return createEngine(options, () => new SqliteStore({ path: DEFAULT_SQLITE_PATH }), extraKeys);
}
