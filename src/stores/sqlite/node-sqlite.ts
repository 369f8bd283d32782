/**
 * node:sqlite, loaded when the first SQLite-backed store opens rather than when a module is
 * imported: on Node 22 loading it prints an ExperimentalWarning, which an app on another store
 * (imported through holdfast/express, whose default store is SQLite) should never see.
 */
import type { DatabaseSync } from 'node:sqlite';

export function openDatabase(path: string): DatabaseSync {
  const { DatabaseSync: Database } = process.getBuiltinModule('node:sqlite');
  return new Database(path);
}
