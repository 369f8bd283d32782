/**
 * Child process for the SqliteStore multi-process test (not a test file itself).
 * argv: <db path> <table> <session key> <worker id> <count>
 * Prints "ready" once the store is open, waits for "go <epoch ms>" on stdin, waits for that instant
 * (so every worker starts together), then patches <count> keys of the one session with a 1 ms
 * pause between patches so the processes' writes interleave. Exits 1 on any failure.
 */
import { SqliteStore } from '../../src/stores/sqlite/index.ts';

const [path, table, key, worker, countText] = process.argv.slice(2);
if (path === undefined || table === undefined || key === undefined || worker === undefined || countText === undefined) {
  console.error('usage: sqlite-multiprocess-worker.ts <path> <table> <key> <worker> <count>');
  process.exit(2);
}
const count = Number(countText);
const store = new SqliteStore({ path, table, sweepInterval: 0 });
process.stdout.write('ready\n');
const go = await new Promise<string>((resolve) => process.stdin.once('data', (chunk) => resolve(String(chunk))));
process.stdin.pause();
const startAt = Number(go.split(' ')[1]);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));

let failures = 0;
for (let i = 0; i < count; i++) {
  const now = Date.now();
  const ok = await store.patch(key, {
    set: { [`w${worker}-${i}`]: JSON.stringify({ worker, i }) },
    unset: [],
    meta: { userId: null, createdAt: now, authAt: null, touchedAt: now, expiresAt: now + 3_600_000, ip: null, userAgent: null },
  });
  if (!ok) failures++;
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await store.close();
if (failures > 0) {
  console.error(`worker ${worker}: ${failures} patches found no record`);
  process.exit(1);
}
