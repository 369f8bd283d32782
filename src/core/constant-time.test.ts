import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { equalInConstantTime } from './constant-time.ts';

test('equalInConstantTime: equal exactly when the strings are equal', () => {
  const mac = 'wY5wIDS6BkaxnID7unEv2qLFUGNytwaMUM6ih1b3WL4';
  const cases: [string, string, boolean][] = [
    [mac, mac, true],
    ['', '', true],
    [mac, `${mac.slice(0, -1)}5`, false],
    [mac, `x${mac.slice(1)}`, false],
    [mac, mac.slice(0, -1), false],
    [mac, `${mac}A`, false],
    // A look-alike: U+0141 has the low byte 0x41 ("A"); whole code units are compared.
    ['A', '\u0141', false],
    ['A', '\u0041', true],
  ];
  for (const [a, b, expected] of cases) assert.equal(equalInConstantTime(a, b), expected, `${a} vs ${b}`);
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => equalInConstantTime(a, b) === (a === b)));
});
