/**
 * The conformance suite every SessionStore runs:
 *
 *   runStoreConformance('SqliteStore', { create: async () => new SqliteStore({ path }), teardown: (s) => s.close!() });
 *
 * `create()` is called once before the suite and its store serves every test; every test uses
 * fresh random keys (43-character base64url, like a SHA-256) and random user IDs, so a store
 * backed by a shared server can run it alongside other files and other runs.
 */
import { after, before, describe } from 'node:test';
import type { SessionStore } from '../core/store.ts';
import { dataPatchTests } from './data-patches.ts';
import { encodingTests } from './encoding.ts';
import { expiryTests } from './expiry.ts';
import type { StoreFactory } from './fixtures.ts';
import { recordTests } from './records.ts';
import { syncReadTests } from './sync-reads.ts';
import { userIndexTests } from './user-index.ts';

export type { StoreFactory } from './fixtures.ts';

export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name} conformance`, () => {
    let current: SessionStore | undefined;
    const store = (): SessionStore => {
      if (current === undefined) throw new Error(`${name}: the store factory did not produce a store`);
      return current;
    };

    before(async () => {
      current = await factory.create();
    });

    after(async () => {
      if (current !== undefined) await factory.teardown?.(current);
      current = undefined;
    });

    recordTests(store);
    dataPatchTests(store, factory);
    userIndexTests(store);
    expiryTests(store, factory);
    encodingTests(store, factory);
    syncReadTests(store);
  });
}
