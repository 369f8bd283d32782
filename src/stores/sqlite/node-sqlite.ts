/**
 * node:sqlite, loaded when the first SQLite-backed store opens rather than when a module is
 * imported: on Node 22 loading it prints an ExperimentalWarning, which an app on another store
 * (imported through holdfast/express, whose default store is SQLite) should never see.
 */
import type { DatabaseSync } from 'node:sqlite';
import { HoldfastError, StoreError } from '../../core/errors.ts';

export function openDatabase(path: string): DatabaseSync {
  const { DatabaseSync: Database } = process.getBuiltinModule('node:sqlite');
  return new Database(path);
}

/**
 * Run one statement of a SQLite-backed store: on a closed store, or when the driver throws, a
 * `StoreError` naming the store (holdfast's own errors pass through as they are).
 */
export function runStatement<T>(store: string, closed: boolean, fn: () => T): T {
  if (closed) throw new StoreError(`${store} is closed`);
  try {
    return fn();
  } catch (error) {
    if (error instanceof HoldfastError) throw error;
    throw new StoreError(`${store} query failed: ${(error as Error).message}`, { cause: error });
  }
}
