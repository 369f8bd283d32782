import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { VerifiedMacs } from './verified-macs.ts';

const ID = 'fYGlGCWMBfZ38AIKXPNM69GKmIa9oZ5OQFii279DZhs';
const MAC = 'wY5wIDS6BkaxnID7unEv2qLFUGNytwaMUM6ih1b3WL4';

test('a remembered MAC verifies its value again; any other MAC, or an unknown key, does not', () => {
  const memo = new VerifiedMacs();
  memo.remember('key-1', `${ID}.${MAC}`, 1);
  assert.deepEqual(memo.check('key-1', `${ID}.${MAC}`), { id: ID, keyIndex: 1 });
  for (let i = 0; i < MAC.length; i++) {
    const other = MAC[i] === 'A' ? 'B' : 'A';
    assert.equal(memo.check('key-1', `${ID}.${MAC.slice(0, i)}${other}${MAC.slice(i + 1)}`), null, `position ${i}`);
  }
  assert.equal(memo.check('key-1', `${ID}.${MAC.slice(0, -1)}\u0134`), null, 'a look-alike character');
  assert.equal(memo.check('key-2', `${ID}.${MAC}`), null);
});

test('bounded: the oldest entry goes first', () => {
  const memo = new VerifiedMacs(2);
  memo.remember('a', `${ID}.${MAC}`, 0);
  memo.remember('b', `${ID}.${MAC}`, 0);
  memo.remember('c', `${ID}.${MAC}`, 0);
  assert.equal(memo.check('a', `${ID}.${MAC}`), null);
  assert.ok(memo.check('b', `${ID}.${MAC}`) !== null);
  assert.ok(memo.check('c', `${ID}.${MAC}`) !== null);
});

test('a remembered MAC does not keep the Cookie header it was cut from alive', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const memo = new VerifiedMacs(1_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 500; i++) {
    // A big header per request (other cookies), the session cookie cut out of it as readCookie does.
    const header = `pad${i}=${'x'.repeat(100_000)}; sid=${ID}.${MAC}`;
    const value = header.slice(header.indexOf('sid=') + 4);
    memo.remember(`key-${i}`, value, 0);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Retaining the headers would be 500 × 100 kB = 50 MB; the entries themselves are a few hundred kB.
  assert.ok(grown < 10_000_000, `the memo grew the heap by ${grown} bytes`);
  assert.deepEqual(memo.check('key-499', `${ID}.${MAC}`), { id: ID, keyIndex: 0 });
});
