/**
 * node:sqlite, loaded when the first SQLite-backed store opens rather than when a module is
 * imported: on Node 22 loading it prints an ExperimentalWarning, which an app on another store
 * (imported through holdfast/express, whose default store is SQLite) should never see.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { ConfigError, HoldfastError, StoreError } from '../../core/errors.ts';

/**
 * Open a store's database file as every holdfast SQLite store does: the folder and an owner-only
 * file first (SQLite gives -wal/-shm the same mode; a path that cannot be made is a ConfigError),
 * then busy_timeout (switching to WAL and creating tables may wait for another process), WAL and
 * synchronous = NORMAL (WAL keeps the file consistent; a power cut may lose the last commits).
 * Driver failures throw as they are; the database is closed when a pragma fails.
 */
export function openStoreDatabase(store: string, path: string, busyTimeout: number): DatabaseSync {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
    } catch (error) {
      throw new ConfigError(`${store} cannot create its database file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  const { DatabaseSync: Database } = process.getBuiltinModule('node:sqlite');
  const db = new Database(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
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
