/** The demo's TRUST_PROXY parsing: each value becomes the trustProxy option a user would write. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trustProxyFromEnv } from '../../examples/basic/trust-proxy-env.ts';
import { createSessions } from 'holdfast';
import { ConfigError } from '../../src/core/errors.ts';

const CASES: ReadonlyArray<[string | undefined, unknown]> = [
  [undefined, false],
  ['', false],
  ['  ', false],
  ['false', false],
  ['true', true],
  ['1', 1],
  [' 2 ', 2],
  ['0', 0],
  ['loopback', 'loopback'],
  ['10.0.0.7,10.0.0.0/8', '10.0.0.7,10.0.0.0/8'],
];

describe('examples/basic TRUST_PROXY', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(trustProxyFromEnv(input), expected);
    });
  }

  it('a value holdfast does not accept still fails at startup with its explanation', () => {
    assert.throws(() => createSessions({ secrets: 'x'.repeat(40), trustProxy: trustProxyFromEnv('yes') }), (error: unknown) => error instanceof ConfigError && /trustProxy: invalid entry 'yes'/.test(error.message));
  });
});
