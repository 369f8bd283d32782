/** Which stores the engine trusts to return records in shape, and that everything else is checked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../stores/memory/index.ts';
import { SqliteStore } from '../stores/sqlite/index.ts';
import { RECORDS_CHECKED, returnsCheckedRecords } from './checked-records.ts';
import type { SessionRecord } from './store.ts';

test("holdfast's own stores, read through their own methods, are trusted", () => {
  const memory = new MemoryStore({ sweepInterval: 0 });
  const sqlite = new SqliteStore({ path: ':memory:', sweepInterval: 0 });
  try {
    assert.equal(returnsCheckedRecords(memory), true);
    assert.equal(returnsCheckedRecords(sqlite), true);
  } finally {
    void memory.close();
    void sqlite.close();
  }
});

test('a subclass that replaces a read method, a copied brand, or a plain store is checked', () => {
  class Junk extends MemoryStore {
    override getSync(): SessionRecord | null {
      return { meta: 'junk', data: 7 } as unknown as SessionRecord;
    }
  }
  class Renamed extends MemoryStore {
    override async get(key: string): Promise<SessionRecord | null> {
      return super.get(key);
    }
  }
  const junk = new Junk({ sweepInterval: 0 });
  const renamed = new Renamed({ sweepInterval: 0 });
  const plain = { get: async () => null };
  const copied = { [RECORDS_CHECKED]: new MemoryStore({ sweepInterval: 0 })[RECORDS_CHECKED], get: async () => null, getSync: () => null };
  assert.equal(returnsCheckedRecords(junk), false);
  assert.equal(returnsCheckedRecords(renamed), false);
  assert.equal(returnsCheckedRecords(plain), false);
  assert.equal(returnsCheckedRecords(copied), false);
});
