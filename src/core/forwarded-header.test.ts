import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  forwardedNodeAddress,
  hasContent,
  listEntryFromRightIs,
  listHasEntry,
  parseForwarded,
  valueIs,
} from './forwarded-header.ts';
import type { ForwardedElement } from './forwarded-header.ts';

type Partial4 = Partial<ForwardedElement>;
const el = (p: Partial4): ForwardedElement => ({ for: undefined, by: undefined, host: undefined, proto: undefined, ...p });

// [header, expected elements]
const parsed: Array<[string, Partial4[]]> = [
  ['for=192.0.2.60;proto=http;by=203.0.113.43', [{ for: '192.0.2.60', proto: 'http', by: '203.0.113.43' }]],
  ['for="_gazonk"', [{ for: '_gazonk' }]],
  ['For="[2001:db8:cafe::17]:4711"', [{ for: '[2001:db8:cafe::17]:4711' }]],
  ['for=192.0.2.43, for=198.51.100.17', [{ for: '192.0.2.43' }, { for: '198.51.100.17' }]],
  ['PROTO=HTTPS', [{ proto: 'HTTPS' }]],
  ['proto="https"', [{ proto: 'https' }]],
  ['host="example.com:8443";proto=https', [{ host: 'example.com:8443', proto: 'https' }]],
  ['for=a ; proto=https', [{ for: 'a', proto: 'https' }]],
  ['for=a,,for=b', [{ for: 'a' }, { for: 'b' }]],
  ['for=a ,\t, for=b', [{ for: 'a' }, { for: 'b' }]],
  [';;;', []],
  ['for=x;;;proto=https;', [{ for: 'x', proto: 'https' }]],
  ['', []],
  [' , ', []],
  ['for="a\\"b"', [{ for: 'a"b' }]],
  ['for="a,b;c";proto=https', [{ for: 'a,b;c', proto: 'https' }]],
  ['for=""', [{ for: '' }]],
  ['ext=foo;proto=https', [{ proto: 'https' }]],
  ['ext=foo;ext=bar', [{}]],
  ['for=[::1]:80', [{ for: '[::1]:80' }]],
  ['proto=https, proto=http, proto=http', [{ proto: 'https' }, { proto: 'http' }, { proto: 'http' }]],
];

for (const [header, expected] of parsed) {
  test(`parseForwarded ${JSON.stringify(header)}`, () => {
    assert.deepEqual(parseForwarded(header), expected.map(el));
  });
}

const malformed: string[] = [
  'proto="https',
  'proto=',
  'proto=;for=a',
  'for',
  'for =a',
  'for= a',
  'for=a b',
  'for=a;for=b',
  'proto=https;PROTO=http',
  '=a',
  'for="a\u0001"',
  'for=a\u0000',
  'for="a\\',
  'fór=a',
  'for=a"b"',
  'for="a"b',
];

for (const header of malformed) {
  test(`parseForwarded rejects ${JSON.stringify(header)}`, () => {
    assert.equal(parseForwarded(header), null);
  });
}

const nodes: Array<[string, string]> = [
  ['"[2001:db8::1]:4711"'.slice(1, -1), '2001:db8::1'],
  ['[2001:db8::1]', '2001:db8::1'],
  ['192.0.2.43:47011', '192.0.2.43'],
  ['192.0.2.43', '192.0.2.43'],
  ['2001:db8::1', '2001:db8::1'],
  ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
  ['unknown', 'unknown'],
  ['_hidden:_port', '_hidden'],
  ['[', '['],
  ['[]', '[]'],
  ['', ''],
];

for (const [node, expected] of nodes) {
  test(`forwardedNodeAddress ${JSON.stringify(node)}`, () => {
    assert.equal(forwardedNodeAddress(node), expected);
  });
}

// [list, k, word, expected]: entries[max(0, len - k)] === word
const fromRight: Array<[string, number, string, boolean]> = [
  ['https', 1, 'https', true],
  ['HTTPS', 1, 'https', true],
  [' https ', 1, 'https', true],
  ['https, http', 1, 'https', false],
  ['https, http', 2, 'https', true],
  ['https, http', 5, 'https', true],
  ['http, https', 1, 'https', true],
  ['https, http, http', 2, 'https', false],
  ['https, http, http', 3, 'https', true],
  ['https, , http', 1, 'https', false],
  ['https,,', 1, 'https', true],
  ['', 1, 'https', false],
  [',,,', 1, 'https', false],
  ['httpsx', 1, 'https', false],
  ['on', 1, 'on', true],
];

for (const [list, k, word, expected] of fromRight) {
  test(`listEntryFromRightIs(${JSON.stringify(list)}, ${k}, ${word})`, () => {
    assert.equal(listEntryFromRightIs(list, k, word), expected);
  });
}

test('listHasEntry, hasContent, valueIs', () => {
  assert.equal(listHasEntry('http, HTTPS', 'https'), true);
  assert.equal(listHasEntry('http,,x', 'https'), false);
  assert.equal(listHasEntry('', 'on'), false);
  assert.equal(hasContent(' \t '), false);
  assert.equal(hasContent(' 1 '), true);
  assert.equal(valueIs('HttpS', 'https'), true);
  assert.equal(valueIs('https ', 'https'), false);
  assert.equal(valueIs(undefined, 'https'), false);
});

test('parseForwarded survives 100 KB of hostile input', () => {
  const inputs = [
    'for='.repeat(25_000),
    '"'.repeat(100_000),
    ';'.repeat(100_000),
    'proto="' + 'a'.repeat(100_000),
    'for=a,'.repeat(16_000),
    'for="\\'.repeat(20_000),
  ];
  for (const input of inputs) {
    const started = performance.now();
    const result = parseForwarded(input);
    assert.ok(result === null || Array.isArray(result));
    assert.ok(performance.now() - started < 200, 'linear time');
  }
  assert.equal(parseForwarded('for=a,'.repeat(16_000))?.length, 16_000);
});

const tokenArb = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const valueArb = fc.string({ maxLength: 16, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
const quote = (v: string): string => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;

test('property: serialized elements parse back to the same values', () => {
  const elementArb = fc.record(
    { for: valueArb, by: valueArb, host: valueArb, proto: valueArb, ext: tokenArb },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.array(elementArb, { maxLength: 5 }), fc.boolean(), (elements, spaces) => {
      const nonEmpty = elements.filter((e) => Object.keys(e).length > 0);
      const header = nonEmpty
        .map((e) => {
          const pairs = Object.entries(e).map(([k, v]) => (k === 'ext' ? `x-${v}=${quote(v)}` : `${k.toUpperCase()}=${quote(v)}`));
          return pairs.join(spaces ? ' ; ' : ';');
        })
        .join(spaces ? ' , ' : ',');
      const expected = nonEmpty.map((e) => el({ for: e.for, by: e.by, host: e.host, proto: e.proto }));
      assert.deepEqual(parseForwarded(header), expected);
    }),
    { numRuns: 2000 },
  );
});

test('property: parseForwarded never throws', () => {
  const piece = fc.constantFrom('for=', 'proto=', 'https', '"', '\\', ';', ',', ' ', '=', '[::1]:80', 'x', '\u0000', 'é');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(piece, { maxLength: 40 }).map((a) => a.join(''))), (header) => {
      const result = parseForwarded(header);
      assert.ok(result === null || Array.isArray(result));
    }),
    { numRuns: 5000 },
  );
});
