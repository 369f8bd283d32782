import { test } from 'node:test';
import assert from 'node:assert/strict';
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
