import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, type Duration } from './duration.ts';
import { ConfigError } from './errors.ts';

const valid: [Duration, number][] = [
  [1, 1],
  [1500, 1500],
  [0.5, 1],
  [2.5, 3],
  ['1', 1],
  ['250', 250],
  ['500ms', 500],
  ['30s', 30_000],
  ['1.5s', 1500],
  ['0.6ms', 1],
  ['30m', 1_800_000],
  ['12h', 43_200_000],
  ['7d', 604_800_000],
  ['2w', 1_209_600_000],
  [' 30m ', 1_800_000],
  ['30 m', 1_800_000],
  ['30M', 1_800_000],
  ['12H', 43_200_000],
  ['10MS', 10],
  ['0.5m', 30_000],
];

test('valid durations parse to whole milliseconds', () => {
  for (const [input, ms] of valid) {
    assert.equal(parseDuration('idleTimeout', input), ms, `parseDuration(${JSON.stringify(input)})`);
  }
});

const invalid: unknown[] = [
  0,
  -1,
  -0.5,
  0.4, // rounds to 0 ms: not a positive duration
  '0.4ms',
  '0.0001s',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  ' ',
  '0',
  '0s',
  '0m',
  '-5m',
  '+5m',
  '5x',
  '5 minutes',
  'm',
  '1e3',
  '.5s',
  '5.s',
  '1h30m',
  '30m ago',
  'Infinity',
  'NaN',
  '0x10',
  '1_000',
  '9'.repeat(400),
  null,
  undefined,
  true,
  {},
  [],
  ['30m'],
  10n,
  () => 1,
];

test('invalid durations throw a ConfigError naming the option', () => {
  for (const input of invalid) {
    assert.throws(
      () => parseDuration('absoluteTimeout', input as Duration),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `ConfigError for ${String(input)}`);
        assert.match(error.message, /^absoluteTimeout must be/);
        assert.match(error.message, /'30m'/);
        return true;
      },
      `parseDuration(${typeof input === 'string' ? JSON.stringify(input.slice(0, 20)) : String(input)}) should throw`,
    );
  }
});

test('the error message quotes at most 40 characters of a bad string', () => {
  const long = 'x'.repeat(1000);
  assert.throws(() => parseDuration('touchAfter', long), (error: Error) => {
    assert.ok(error.message.includes(JSON.stringify('x'.repeat(40))));
    assert.ok(!error.message.includes('x'.repeat(41)));
    return true;
  });
});

test('the error message describes non-string values by type', () => {
  assert.throws(() => parseDuration('touchAfter', {} as Duration), /\(got object\)/);
  assert.throws(() => parseDuration('touchAfter', -3), /\(got -3\)/);
});
