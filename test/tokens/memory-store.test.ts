/** Token conformance on MemoryTokenStore and SqliteTokenStore (file-backed, in a temp dir). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, StoreError } from '../../src/core/errors.ts';
import { MemoryTokenStore } from '../../src/stores/memory/index.ts';
import { createTokenTableSql, SqliteTokenStore } from '../../src/stores/sqlite/index.ts';
import { runTokenStoreConformance } from './token-store-conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'hf-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runTokenStoreConformance('MemoryTokenStore', { create: async () => new MemoryTokenStore() });
runTokenStoreConformance('SqliteTokenStore', {
  create: async () => new SqliteTokenStore({ path: join(dir, 'tokens.db'), sweepInterval: 0 }),
  teardown: async (store) => store.close?.(),
});

describe('embedded token stores specifics', () => {
  it('MemoryTokenStore is bounded and refused in production unless allowed', async () => {
    const store = new MemoryTokenStore({ maxFamilies: 2 });
    for (const handle of ['a'.repeat(22), 'b'.repeat(22), 'c'.repeat(22)]) {
      await store.create({ handle, userId: 'u', gen: 0, createdAt: 1, usedAt: 1, expiresAt: 9e12, rotatedAt: null, revokedAt: null, claims: '{}' });
    }
    assert.equal(store.size, 2);
    assert.equal(await store.get('a'.repeat(22)), null, 'the oldest was evicted');
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      assert.throws(() => new MemoryTokenStore(), ConfigError);
      assert.ok(new MemoryTokenStore({ allowInProduction: true }));
    } finally {
      process.env.NODE_ENV = env;
    }
  });

  it('SqliteTokenStore: createTable false + createTokenTableSql, sweep, bad options', async () => {
    const path = join(dir, 'migrated.db');
    const bootstrap = new SqliteTokenStore({ path, table: 'own_families', createTable: true, sweepInterval: 0 });
    await bootstrap.close();
    assert.match(createTokenTableSql('own_families'), /CREATE TABLE IF NOT EXISTS "own_families"/);
    const store = new SqliteTokenStore({ path, table: 'own_families', createTable: false, sweepInterval: 0 });
    const now = Date.now();
    await store.create({ handle: 'x'.repeat(22), userId: 'u', gen: 0, createdAt: now, usedAt: now, expiresAt: now + 10, rotatedAt: null, revokedAt: null, claims: '{}' });
    assert.equal(await store.sweep(now + 5), 0);
    assert.equal(await store.sweep(now + 10), 1);
    await store.close();
    await assert.rejects(store.get('x'.repeat(22)), /closed/);
    for (const bad of [{}, { path: '' }, { path: ':memory:', table: 'no-dash' }, { path: ':memory:', sweepInterval: -1 }]) {
      assert.throws(() => new SqliteTokenStore(bad as never), ConfigError);
    }
    assert.throws(() => new SqliteTokenStore({ path: ':memory:', createTable: false, sweepInterval: 0 }), StoreError, 'missing table, said at once');
    // A database file that cannot be made (its folder is a file) is misconfiguration, named as such.
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, '');
    assert.throws(() => new SqliteTokenStore({ path: join(notADir, 'tokens.db'), sweepInterval: 0 }), (e: unknown) => e instanceof ConfigError && /SqliteTokenStore cannot create its database file/.test(e.message));
  });
});
