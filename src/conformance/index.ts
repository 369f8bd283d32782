/**
 * holdfast/conformance: the conformance suite every holdfast store passes, for authors of other
 * stores. It runs on `node:test` (describe/it); call it from a test file:
 *
 * ```ts
 * import { runStoreConformance } from 'holdfast/conformance';
 * runStoreConformance('MyStore', { create: async () => new MyStore(), teardown: (s) => s.close!() });
 * ```
 *
 * The fixtures (random keys and users, metadata and record builders, hostile keys) are exported
 * for a store's own extra tests.
 */
export { runStoreConformance } from './store-conformance.ts';
export type { StoreFactory } from './fixtures.ts';
export { randomKey, randomUser, fullMeta, anonymousMeta, data, record, entriesOf, HOSTILE_KEYS, JSON_TEXTS } from './fixtures.ts';
