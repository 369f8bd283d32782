/** The HGETALL decoder: every reply shape the drivers produce, and garbage refused with a clear error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptRecordError, StoreError } from '../../core/errors.ts';
import { decodeRecord, hashFields } from './layout.ts';

const FLAT = ['m:c', '1000', 'm:t', '2000', 'm:e', '3000', 'm:u', 'ada', 'm:s', '11', 'd:n', '5', 'd:__proto__', '"p"'];
const META = { userId: 'ada', createdAt: 1000, authAt: null, touchedAt: 2000, expiresAt: 3000, ip: null, userAgent: null };

test('HGETALL replies decode the same from a flat array, Buffers, a Map (RESP3) and an object (ioredis)', () => {
  const pairs = (): [string, string][] => Array.from({ length: FLAT.length / 2 }, (_, i) => [FLAT[2 * i] as string, FLAT[2 * i + 1] as string]);
  const shapes: [string, unknown][] = [
    ['flat strings', [...FLAT]],
    ['flat Buffers', FLAT.map((s) => Buffer.from(s))],
    ['mixed', FLAT.map((s, i) => (i % 3 === 0 ? Buffer.from(s) : s))],
    ['Map', new Map(pairs())],
    ['Map of Buffers', new Map(pairs().map(([f, v]) => [Buffer.from(f), Buffer.from(v)]))],
    ['object', Object.fromEntries(pairs())],
  ];
  for (const [name, reply] of shapes) {
    const record = decodeRecord(hashFields(reply));
    assert.ok(record !== null, name);
    assert.deepEqual({ ...record.meta }, META, name);
    assert.equal(Object.getPrototypeOf(record.data), null, name);
    assert.deepEqual(Object.entries(record.data).sort(), [['__proto__', '"p"'], ['n', '5']], name);
  }
  const buffers = FLAT.map((s) => Buffer.from(s));
  hashFields(buffers);
  assert.ok(Buffer.isBuffer(buffers[0]), 'the reply array itself is not rewritten');
});

test('a missing hash (empty or nil reply) is null', () => {
  for (const reply of [[], new Map(), {}, null, undefined]) assert.equal(decodeRecord(hashFields(reply)), null);
});

test('malformed replies and metadata are refused with StoreError / CorruptRecordError, never a TypeError', () => {
  const cases: [string, unknown, typeof StoreError][] = [
    ['odd-length array', ['m:c', '1', 'd:a'], StoreError],
    ['a number in the array', ['m:c', 1], StoreError],
    ['nil value in the array', ['d:a', null], StoreError],
    ['an object value', new Map([['d:a', { x: 1 }]]), StoreError],
    ['a string reply', 'OK', StoreError],
    ['a number reply', 42, StoreError],
    ['time that is not a number', ['m:c', 'yesterday', 'm:t', '2', 'm:e', '3'], CorruptRecordError],
    ['missing createdAt', ['m:t', '2', 'm:e', '3', 'd:a', '1'], CorruptRecordError],
    ['negative expiry', ['m:c', '1', 'm:t', '2', 'm:e', '-3'], CorruptRecordError],
  ];
  for (const [name, reply, type] of cases) {
    assert.throws(() => decodeRecord(hashFields(reply)), (error: unknown) => error instanceof type, name);
  }
});

test('data keys decode the same past the bound of remembered key names, hostile names included', () => {
  const fields = ['m:c', '1000', 'm:t', '2000', 'm:e', '3000'];
  const expected: [string, string][] = [];
  for (let i = 0; i < 1500; i++) {
    const name = i % 500 === 0 ? '__proto__' : i % 250 === 0 ? 'constructor' : `key-${i}`;
    if (expected.some(([n]) => n === name)) continue;
    fields.push(`d:${name}`, String(i));
    expected.push([name, String(i)]);
  }
  for (let round = 0; round < 2; round++) {
    const record = decodeRecord(hashFields([...fields]));
    assert.ok(record !== null);
    assert.equal(Object.getPrototypeOf(record.data), null);
    assert.deepEqual(Object.entries(record.data).sort(), [...expected].sort());
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }
});
