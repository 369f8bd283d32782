import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, RecordTooLargeError, StoreError } from '../../src/core/errors.ts';
import { encodedDataBytes } from '../../src/core/record-codec.ts';
import { SqliteStore } from '../../src/stores/sqlite/index.ts';
import { data, entriesOf, fullMeta, randomKey, randomUser, record, sleep } from '../../src/conformance/fixtures.ts';
import { runStoreConformance } from '../../src/conformance/store-conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'sessions.db');

runStoreConformance('SqliteStore', {
  create: async () => new SqliteStore({ path: file }),
  teardown: async (store) => store.close?.(),
});

runStoreConformance('SqliteStore (own table, maxRecordBytes 4096)', {
  create: async () => new SqliteStore({ path: file, table: 'small_sessions', maxRecordBytes: 4096 }),
  teardown: async (store) => store.close?.(),
  maxRecordBytes: 4096,
});

/** A raw connection to poke at the file the way an operator (or a bug) could. */
function raw(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

describe('SqliteStore specifics', () => {
  it('is durable: a record survives closing and reopening the file', async () => {
    const path = join(dir, 'reopen.db');
    const key = randomKey();
    const meta = fullMeta();
    const first = new SqliteStore({ path });
    await first.set(key, record(meta, { cart: [1, 2], name: 'ümlaut 😀' }));
    await first.patch(key, { set: data({ more: true }), unset: [], meta });
    await first.close();
    const second = new SqliteStore({ path });
    const got = await second.get(key);
    assert.ok(got !== null);
    assert.deepEqual({ ...got.meta }, meta);
    assert.deepEqual(entriesOf(got.data), entriesOf(data({ cart: [1, 2], name: 'ümlaut 😀', more: true })));
    await second.close();
  });

  it('creates its table and indexes once, in WAL mode, in a new owner-only directory and file', async () => {
    const path = join(dir, 'nested', 'deeper', 'once.db');
    const key = randomKey();
    const a = new SqliteStore({ path, table: 'once_sessions' });
    await a.set(key, record(fullMeta(), { a: 1 }));
    const b = new SqliteStore({ path, table: 'once_sessions' });
    assert.ok((await b.get(key)) !== null, 'opening again keeps existing rows');
    const db = raw(path);
    const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE tbl_name = 'once_sessions'").all();
    assert.deepEqual(
      objects.map((o) => `${String(o.type)}:${String(o.name)}`).sort(),
      ['index:once_sessions_expires_at_idx', 'index:once_sessions_user_id_idx', 'index:sqlite_autoindex_once_sessions_1', 'table:once_sessions'],
    );
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT key FROM once_sessions WHERE user_id = 'x'").all();
    assert.match(plan.map((row) => String(row.detail)).join('\n'), /once_sessions_user_id_idx/);
    db.close();
    if (process.platform !== 'win32') {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'nested', 'deeper')).mode & 0o777, 0o700);
    }
    await a.close();
    await b.close();
  });

  const badOptions: [string, Record<string, unknown>][] = [
    ['table with a space', { table: 'drop table x' }],
    ['table with a dash', { table: 'a-b' }],
    ['table starting with a digit', { table: '1abc' }],
    ['empty table', { table: '' }],
    ['table too long', { table: 'x'.repeat(64) }],
    ['table with a quote', { table: 'a"b' }],
    ['table with a semicolon', { table: 'a;b' }],
    ['empty path', { path: '' }],
    ['sweepBatch 0', { sweepBatch: 0 }],
    ['maxRecordBytes -1', { maxRecordBytes: -1 }],
    ['sweepInterval 1.5', { sweepInterval: 1.5 }],
  ];
  for (const [title, options] of badOptions) {
    it(`refuses ${title} with ConfigError`, () => {
      assert.throws(() => new SqliteStore({ path: join(dir, 'bad.db'), ...options } as never), ConfigError);
    });
  }

  it('says what is wrong when the file cannot be created or is not a database', () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    assert.throws(() => new SqliteStore({ path: join(notADir, 'db.sqlite') }), ConfigError);
    const notADb = join(dir, 'not-a-db.sqlite');
    writeFileSync(notADb, 'this is not an SQLite database, just some text long enough to have a header');
    assert.throws(() => new SqliteStore({ path: notADb }), (error: unknown) => error instanceof StoreError && /not a database/.test(error.message));
  });

  it('keeps every key when 3 processes patch one session concurrently', async () => {
    const path = join(dir, 'multi.db');
    const table = 'multi_sessions';
    const key = randomKey();
    const store = new SqliteStore({ path, table });
    await store.set(key, record(fullMeta(), { base: 0 }));
    const worker = fileURLToPath(new URL('./sqlite-multiprocess-worker.ts', import.meta.url));
    const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
    const children = [0, 1, 2].map((id) => spawn(node, [worker, path, table, key, String(id), '50'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const exits = children.map((child) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))));
    try {
      await Promise.all(
        children.map((child) => new Promise<void>((resolve, reject) => {
          child.stdout.once('data', () => resolve());
          child.once('exit', () => reject(new Error('worker exited before it was ready')));
        })),
      );
      const startAt = Date.now() + 50;
      for (const child of children) child.stdin.end(`go ${startAt}\n`);
      assert.deepEqual(await Promise.all(exits), [0, 0, 0]);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
    const got = await store.get(key);
    assert.ok(got !== null);
    assert.equal(Object.keys(got.data).length, 151);
    for (const id of [0, 1, 2]) for (let i = 0; i < 50; i++) assert.ok(Object.hasOwn(got.data, `w${id}-${i}`), `w${id}-${i}`);
    await store.close();
  });

  const corruptions: [string, string][] = [
    ['data that is not JSON', "data = 'garbage{'"],
    ['data that is a JSON array', "data = '[1,2]'"],
    ['a data entry that is not text', `data = '{"a":1}'`],
    ['data that is NULL-ish text', "data = 'null'"],
    ['expires_at that is text', "expires_at = 'soon'"],
    ['created_at that is text', "created_at = 'x1'"],
    ['auth_at that is a blob', "auth_at = x'01'"],
    ['user_id that is a blob', "user_id = x'00ff'"],
  ];
  for (const [title, assignment] of corruptions) {
    it(`rejects a row with ${title} with StoreError`, async () => {
      const path = join(dir, 'corrupt.db');
      const store = new SqliteStore({ path, table: 'corrupt_sessions' });
      const key = randomKey();
      const user = randomUser();
      await store.set(key, record(fullMeta({ userId: user }), { a: 1 }));
      const db = raw(path);
      db.prepare(`UPDATE corrupt_sessions SET ${assignment} WHERE key = ?`).run(key);
      db.close();
      await assert.rejects(store.get(key), StoreError);
      if (!assignment.startsWith('data') && !assignment.startsWith('user_id')) await assert.rejects(store.listByUser(user), StoreError);
      await store.close();
    });
  }

  it('a patch of a row with garbage data rejects with StoreError and leaves it alone', async () => {
    const path = join(dir, 'corrupt.db');
    const store = new SqliteStore({ path, table: 'corrupt_patch' });
    const key = randomKey();
    await store.set(key, record(fullMeta(), { a: 1 }));
    const db = raw(path);
    db.prepare("UPDATE corrupt_patch SET data = 'garbage{' WHERE key = ?").run(key);
    await assert.rejects(store.patch(key, { set: data({ b: 1 }), unset: [], meta: fullMeta() }), StoreError);
    assert.equal(db.prepare('SELECT data FROM corrupt_patch WHERE key = ?').get(key)?.data, 'garbage{');
    db.close();
    await store.close();
  });

  it('measures size on patch exactly as assertDataSize does on set', async () => {
    const max = 2_000;
    const store = new SqliteStore({ path: join(dir, 'size.db'), maxRecordBytes: max, sweepInterval: 0 });
    const small = data([['"é😀\\', JSON.stringify('quote " backslash \\ newline \n 日本')]]);
    const fill = (target: number): [string, string] => {
      const rest = target - encodedDataBytes(small) - Buffer.byteLength('fill') - 6 - 2; // minus the quotes of the string
      return ['fill', JSON.stringify('x'.repeat(rest))];
    };
    for (const [target, fits] of [[max, true], [max + 1, false]] as const) {
      const full = data([...entriesOf(small), fill(target)]);
      assert.equal(encodedDataBytes(full), target);
      const viaSet = randomKey();
      const viaPatch = randomKey();
      await store.set(viaPatch, record(fullMeta(), [...entriesOf(small)]));
      if (fits) {
        await store.set(viaSet, record(fullMeta(), [...entriesOf(full)]));
        assert.equal(await store.patch(viaPatch, { set: data([fill(target)]), unset: [], meta: fullMeta() }), true);
      } else {
        await assert.rejects(store.set(viaSet, record(fullMeta(), [...entriesOf(full)])), RecordTooLargeError);
        await assert.rejects(store.patch(viaPatch, { set: data([fill(target)]), unset: [], meta: fullMeta() }), RecordTooLargeError);
      }
    }
    await store.close();
  });

  it('sweeps in batches and on its interval', async () => {
    const path = join(dir, 'sweep.db');
    const store = new SqliteStore({ path, table: 'sweep_sessions', sweepBatch: 100, sweepInterval: 0 });
    const now = Date.now();
    const live = randomKey();
    await store.set(live, record(fullMeta(), {}));
    for (let i = 0; i < 250; i++) await store.set(randomKey(), record(fullMeta({ expiresAt: now - 1 - i }), { i }));
    assert.equal(await store.sweep(now), 250);
    assert.equal(await store.sweep(now), 0);
    assert.ok((await store.get(live)) !== null);
    await store.close();

    const ticking = new SqliteStore({ path, table: 'sweep_sessions', sweepInterval: 25 });
    const expired = randomKey();
    await ticking.set(expired, record(fullMeta({ expiresAt: Date.now() - 1 }), {}));
    for (let waited = 0; (await ticking.get(expired)) !== null && waited < 3_000; waited += 25) await sleep(25);
    assert.equal(await ticking.get(expired), null);
    assert.ok((await ticking.get(live)) !== null);
    await ticking.close();
  });

  it('after close() every call rejects with StoreError; closing twice is fine', async () => {
    const store = new SqliteStore({ path: join(dir, 'closed.db') });
    await store.close();
    await store.close();
    await assert.rejects(store.get(randomKey()), StoreError);
    await assert.rejects(store.set(randomKey(), record(fullMeta(), {})), StoreError);
    await assert.rejects(store.sweep(Date.now()), StoreError);
  });

  it('works on :memory: without touching the file system', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const key = randomKey();
    await store.set(key, record(fullMeta(), { a: 1 }));
    assert.ok((await store.get(key)) !== null);
    await store.close();
  });
});
