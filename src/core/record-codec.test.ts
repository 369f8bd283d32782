import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptRecordError, RecordTooLargeError, StoreError } from './errors.ts';
import {
  applyDataPatch,
  assertDataSize,
  checkData,
  checkMeta,
  checkRecord,
  emptyData,
  encodedDataBytes,
  isCheckedRecord,
  parseData,
  stringifyData,
  toNullProto,
} from './record-codec.ts';
import type { SessionMeta } from './store.ts';

const META: SessionMeta = {
  userId: 'u1',
  createdAt: 1_700_000_000_000,
  authAt: 1_700_000_000_500,
  touchedAt: 1_700_000_001_000,
  expiresAt: 1_700_001_800_000,
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
};

function isCorrupt(error: unknown): boolean {
  assert.ok(error instanceof CorruptRecordError, `CorruptRecordError, got ${String(error)}`);
  assert.ok(error instanceof StoreError);
  assert.equal(error.status, 503);
  assert.equal(error.code, 'ERR_HOLDFAST_STORE_CORRUPT');
  return true;
}

test('checkMeta accepts well-formed metadata, SQL-style numeric strings and bigints', () => {
  const accepted: [string, Record<string, unknown>, SessionMeta][] = [
    ['plain', { ...META }, META],
    ['anonymous', { ...META, userId: null, authAt: null }, { ...META, userId: null, authAt: null }],
    [
      'numeric strings (pg bigint, mysql)',
      { ...META, createdAt: '1700000000000', touchedAt: '1700000001000', expiresAt: '1700001800000', authAt: '5' },
      { ...META, authAt: 5 },
    ],
    [
      'bigints (node:sqlite readBigInts)',
      { ...META, createdAt: 1_700_000_000_000n, touchedAt: 1_700_000_001_000n, expiresAt: 1_700_001_800_000n, authAt: 7n },
      { ...META, authAt: 7 },
    ],
    [
      'missing optional fields become null',
      { createdAt: 1, touchedAt: 2, expiresAt: 3 },
      { userId: null, authAt: null, ip: null, userAgent: null, createdAt: 1, touchedAt: 2, expiresAt: 3 },
    ],
    ['undefined authAt', { ...META, authAt: undefined }, { ...META, authAt: null }],
    ['zero times', { ...META, createdAt: 0, touchedAt: 0, expiresAt: 0 }, { ...META, createdAt: 0, touchedAt: 0, expiresAt: 0 }],
  ];
  for (const [label, input, expected] of accepted) {
    const meta = checkMeta(input);
    assert.deepEqual(meta, expected, label);
    for (const key of ['createdAt', 'touchedAt', 'expiresAt'] as const) assert.equal(typeof meta[key], 'number', `${label}: ${key}`);
  }
});

test('checkMeta drops unknown fields', () => {
  const meta = checkMeta({ ...META, extra: 'x', __proto__: { polluted: true } });
  assert.deepEqual(Object.keys(meta).sort(), ['authAt', 'createdAt', 'expiresAt', 'ip', 'touchedAt', 'userAgent', 'userId']);
});

test('checkMeta rejects garbage with CorruptRecordError', () => {
  const rejected: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['string', 'meta'],
    ['number', 5],
    ['no times', {}],
    ['createdAt missing', { ...META, createdAt: undefined }],
    ['touchedAt null', { ...META, touchedAt: null }],
    ['expiresAt NaN', { ...META, expiresAt: Number.NaN }],
    ['expiresAt Infinity', { ...META, expiresAt: Number.POSITIVE_INFINITY }],
    ['negative numeric string', { ...META, createdAt: '-5' }],
    ['decimal string', { ...META, createdAt: '1.5' }],
    ['exponent string', { ...META, createdAt: '1e12' }],
    ['empty string', { ...META, createdAt: '' }],
    ['date string', { ...META, createdAt: '2024-01-01' }],
    ['Date object', { ...META, createdAt: new Date(0) }],
    ['boolean time', { ...META, touchedAt: true }],
    ['authAt text', { ...META, authAt: 'yesterday' }],
    ['userId number', { ...META, userId: 42 }],
    ['userId object', { ...META, userId: { id: 1 } }],
    ['ip number', { ...META, ip: 127001 }],
    ['userAgent array', { ...META, userAgent: ['x'] }],
  ];
  for (const [label, input] of rejected) assert.throws(() => checkMeta(input), isCorrupt, label);
});

test('checkData accepts objects of strings and returns a null-prototype copy', () => {
  const input = JSON.parse('{"a":"1","__proto__":"{\\"polluted\\":true}","constructor":"\\"c\\"","":"\\"\\""}') as Record<string, string>;
  const data = checkData(input);
  assert.equal(Object.getPrototypeOf(data), null);
  assert.notEqual(data, input);
  assert.deepEqual(Object.keys(data).sort(), ['', '__proto__', 'a', 'constructor']);
  assert.equal(data.__proto__, '{"polluted":true}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(checkData({})), []);
});

test('checkData rejects garbage with CorruptRecordError', () => {
  const rejected: [string, unknown][] = [
    ['null', null],
    ['string', '{"a":"1"}'],
    ['array', ['1']],
    ['number', 1],
    ['number entry', { a: 1 }],
    ['null entry', { a: null }],
    ['object entry', { a: { b: 1 } }],
    ['boolean entry', { a: '1', b: false }],
  ];
  for (const [label, input] of rejected) assert.throws(() => checkData(input), isCorrupt, label);
});

test('parseData / stringifyData round-trip hostile keys; anything else is corrupt', () => {
  const data = emptyData();
  data.__proto__ = '"p"';
  data['constructor'] = '{"x":1}';
  data['a.b'] = '[1,2]';
  data['"'] = 'null';
  const back = parseData(stringifyData(data));
  assert.equal(Object.getPrototypeOf(back), null);
  assert.deepEqual({ ...back }, { ...data });
  assert.equal(back.__proto__, '"p"');
  for (const bad of [undefined, null, 42, Buffer.from('{}'), '', 'not json', '[1]', '"text"', '{"a":1}', 'null']) {
    assert.throws(() => parseData(bad), isCorrupt, String(bad));
  }
});

test('checkRecord validates both parts', () => {
  const record = checkRecord({ meta: { ...META }, data: { k: '"v"' } });
  assert.deepEqual(record.meta, META);
  assert.equal(record.data.k, '"v"');
  for (const bad of [null, 'x', {}, { meta: META }, { data: {} }, { meta: META, data: { k: 1 } }, { meta: { ...META, expiresAt: 'soon' }, data: {} }]) {
    assert.throws(() => checkRecord(bad), isCorrupt, JSON.stringify(bad));
  }
});

test('isCheckedRecord: true exactly when checkRecord would return the same thing, so no copy is needed', () => {
  const nullData = (entries: Record<string, unknown>): Record<string, unknown> => Object.assign(Object.create(null), entries);
  const cases: [string, unknown, boolean][] = [
    ['in shape', { meta: { ...META }, data: nullData({ k: '"v"', __proto__: '1' }) }, true],
    ['anonymous, nulls', { meta: { ...META, userId: null, authAt: null, ip: null, userAgent: null }, data: nullData({}) }, true],
    ['data with Object.prototype (a copy makes it null-prototype)', { meta: { ...META }, data: { k: '"v"' } }, false],
    ['numeric strings (SQL drivers; checkRecord converts them)', { meta: { ...META, createdAt: '1700000000000' }, data: nullData({}) }, false],
    ['bigint time', { meta: { ...META, touchedAt: 1n }, data: nullData({}) }, false],
    ['userId missing (checkRecord makes it null)', { meta: { ...META, userId: undefined }, data: nullData({}) }, false],
    ['a number in data', { meta: { ...META }, data: nullData({ k: 1 }) }, false],
    ['negative time', { meta: { ...META, expiresAt: -1 }, data: nullData({}) }, false],
    ['NaN time', { meta: { ...META, expiresAt: Number.NaN }, data: nullData({}) }, false],
    ['numeric userId', { meta: { ...META, userId: 42 }, data: nullData({}) }, false],
    ['no meta', { data: nullData({}) }, false],
    ['no data', { meta: { ...META } }, false],
    ['data null', { meta: { ...META }, data: null }, false],
    ['not an object', 'record', false],
    ['null', null, false],
  ];
  for (const [title, value, expected] of cases) assert.equal(isCheckedRecord(value), expected, title);
});

test('toNullProto copies own keys into a null-prototype map', () => {
  const source = JSON.parse('{"__proto__":"1","b":"2"}') as Record<string, string>;
  const out = toNullProto(source);
  assert.equal(Object.getPrototypeOf(out), null);
  assert.deepEqual(Object.keys(out).sort(), ['__proto__', 'b']);
});

test('encodedDataBytes counts UTF-8 bytes; assertDataSize throws RecordTooLargeError with sizes, not contents', () => {
  assert.equal(encodedDataBytes(emptyData()), 2);
  const data = emptyData();
  data.k = '"é"';
  assert.equal(encodedDataBytes(data), 2 + 1 + 4 + 6);
  assertDataSize(data, encodedDataBytes(data));
  const big = emptyData();
  big.secretish = JSON.stringify('s3cr3t-'.repeat(200));
  const bytes = encodedDataBytes(big);
  assert.throws(() => assertDataSize(big, bytes - 1), (error: unknown) => {
    assert.ok(error instanceof RecordTooLargeError);
    assert.equal(error.code, 'ERR_HOLDFAST_RECORD_TOO_LARGE');
    assert.ok(error.message.includes(`${bytes} bytes`));
    assert.ok(error.message.includes(`limit of ${bytes - 1} bytes`));
    assert.ok(!error.message.includes('s3cr3t'), 'no contents in the message');
    assert.ok(!error.message.includes('secretish'), 'no key names in the message');
    return true;
  });
});

test('encodedDataBytes sums key and value bytes plus a fixed overhead per entry', () => {
  // The same measure in every store (it does not count JSON escaping of the value texts).
  const data = toNullProto({ ab: '"x"', 'ü': '[1]' });
  assert.equal(encodedDataBytes(data), 2 + (2 + 3 + 6) + (2 + 3 + 6));
});

test('applyDataPatch removes then writes, leaving other keys', () => {
  const data = toNullProto({ a: '1', b: '2', c: '3' });
  applyDataPatch(data, toNullProto({ b: '20', d: '4' }), ['c', 'missing']);
  assert.deepEqual({ ...data }, { a: '1', b: '20', d: '4' });
  const hostile = emptyData();
  applyDataPatch(hostile, toNullProto(JSON.parse('{"__proto__":"x"}') as Record<string, string>), []);
  assert.equal(Object.getPrototypeOf(hostile), null);
  assert.equal(hostile.__proto__, 'x');
});
