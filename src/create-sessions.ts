/**
 * The public `createSessions(options)`: the engine with holdfast's embedded default store
 * (SQLite in `.holdfast/sessions.sqlite` under the working directory) when none is given.
 */
import { createEngine, type Sessions } from './core/sessions.ts';
import type { SessionOptions } from './core/options.ts';
import { SqliteStore } from './stores/sqlite/index.ts';

export const DEFAULT_SQLITE_PATH = '.holdfast/sessions.sqlite';

export function createSessions(options: SessionOptions, extraKeys: readonly string[] = []): Sessions {
  return createEngine(options, () => new SqliteStore({ path: DEFAULT_SQLITE_PATH }), extraKeys);
}
