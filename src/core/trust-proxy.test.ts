import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.ts';
import { compileTrustProxy, isTrustProxyConfigured } from './trust-proxy.ts';
import type { TrustProxyOption } from './trust-proxy.ts';

const byIndex = (_addr: string, hop: number): boolean => hop === 0;

// [label, option, addr, hopIndex, expected]
const valid: Array<[string, TrustProxyOption | undefined, string, number, boolean]> = [
  ['undefined trusts nothing', undefined, '127.0.0.1', 0, false],
  ['false trusts nothing', false, '127.0.0.1', 0, false],
  ['true trusts any hop', true, '8.8.8.8', 7, true],
  ['true trusts a peer without address', true, '', 0, true],
  ['0 trusts nothing', 0, '127.0.0.1', 0, false],
  ['1 trusts the peer', 1, '8.8.8.8', 0, true],
  ['1 does not trust hop 1', 1, '10.0.0.1', 1, false],
  ['3 trusts hop 2', 3, '8.8.8.8', 2, true],
  ['3 does not trust hop 3', 3, '8.8.8.8', 3, false],
  ['CIDR inside', '10.0.0.0/8', '10.1.2.3', 0, true],
  ['CIDR outside', '10.0.0.0/8', '11.0.0.1', 0, false],
  ['CIDR at any hop index', '10.0.0.0/8', '10.1.2.3', 5, true],
  ['comma-separated string', '10.0.0.1, 10.0.0.2', '10.0.0.2', 0, true],
  ['comma-separated string, not listed', '10.0.0.1,10.0.0.2', '10.0.0.3', 0, false],
  ['array of CIDRs', ['192.168.0.0/16', '172.16.0.0/12'], '172.20.1.1', 0, true],
  ['loopback v4', ['loopback'], '127.0.0.1', 0, true],
  ['loopback v6', 'loopback', '::1', 0, true],
  ['loopback IPv4-mapped', 'loopback', '::ffff:127.0.0.1', 0, true],
  ['linklocal v4', 'linklocal', '169.254.1.1', 0, true],
  ['linklocal v6', 'linklocal', 'fe80::1', 0, true],
  ['uniquelocal 192.168', 'uniquelocal', '192.168.1.1', 0, true],
  ['uniquelocal fd00::', 'uniquelocal', 'fd00::1', 0, true],
  ['uniquelocal not public', 'uniquelocal', '8.8.8.8', 0, false],
  ['netmask notation', '10.0.0.0/255.0.0.0', '10.9.9.9', 0, true],
  ['IPv4 entry matches IPv4-mapped addr', '10.0.0.1', '::ffff:10.0.0.1', 0, true],
  ['IPv4-mapped entry matches IPv4 addr', '::ffff:10.0.0.1', '10.0.0.1', 0, true],
  ['IPv6 CIDR', 'fd00::/8', 'fd12:3456::1', 0, true],
  ['IPv6 CIDR does not match IPv4', 'fd00::/8', '10.0.0.1', 0, false],
  ['address list never trusts an empty address', 'loopback', '', 0, false],
  ['address list never trusts garbage', '10.0.0.0/8', '10.0.0.1:1234', 0, false],
  ['address list never trusts a huge string', '10.0.0.0/8', '1:'.repeat(50_000), 0, false],
  ['empty array trusts nothing', [], '127.0.0.1', 0, false],
  ['function used as is (true)', byIndex, 'x', 0, true],
  ['function used as is (false)', byIndex, 'x', 1, false],
];

for (const [label, option, addr, hop, expected] of valid) {
  test(`compileTrustProxy: ${label}`, () => {
    assert.equal(compileTrustProxy(option)(addr, hop), expected);
  });
}

test('compileTrustProxy: a function comes back unchanged', () => {
  assert.equal(compileTrustProxy(byIndex), byIndex);
});

// [label, option, text the message must contain]
const invalid: Array<[string, unknown, string]> = [
  ['NaN', Number.NaN, 'NaN is not a hop count'],
  ['negative', -1, '-1 is not a hop count'],
  ['fraction', 1.5, '1.5 is not a hop count'],
  ['Infinity', Infinity, 'use true to trust every hop'],
  ['prefix too long', '10.0.0.0/99', 'prefix length must be 1-32'],
  ['IPv6 prefix too long', 'fe80::/129', 'prefix length'],
  ['/0', '0.0.0.0/0', 'to trust every hop use true'],
  ['IPv6 /0', '::/0', 'to trust every hop use true'],
  ['not an address', 'bogus', "not an IP address, a CIDR range or one of 'loopback'"],
  ['misspelt name', 'Loopback', 'not an IP address'],
  ['bad entry in an array', ['10.0.0.1', 'nope'], "'nope'"],
  ['empty string', '', 'empty entry'],
  ['only commas', ' , ', 'empty entry'],
  ['trailing comma', '10.0.0.1,', 'empty entry'],
  ['hop count as string', '1', 'pass the number 1'],
  ['boolean as string', 'true', 'pass the boolean true'],
  ['number in an array', [1], 'list entry 1 is not a string'],
  ['object', {}, 'a value of type object is not supported'],
  ['null', null, 'null is not supported'],
];

for (const [label, option, expected] of invalid) {
  test(`compileTrustProxy rejects ${label}`, () => {
    assert.throws(
      () => compileTrustProxy(option as TrustProxyOption),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, 'ConfigError');
        assert.equal(error.code, 'ERR_HOLDFAST_CONFIG');
        assert.ok(error.message.includes(expected), `message ${JSON.stringify(error.message)} has ${expected}`);
        assert.ok(error.message.includes('valid values: false'), 'says what a valid value looks like');
        return true;
      },
    );
  });
}

test('compileTrustProxy: a huge bad entry is echoed truncated', () => {
  const huge = 'x'.repeat(10_000);
  assert.throws(
    () => compileTrustProxy(huge),
    (error: unknown) => error instanceof ConfigError && !error.message.includes('x'.repeat(65)),
  );
});

test('isTrustProxyConfigured', () => {
  assert.equal(isTrustProxyConfigured(undefined), false);
  assert.equal(isTrustProxyConfigured(false), false);
  assert.equal(isTrustProxyConfigured(0), false);
  assert.equal(isTrustProxyConfigured([]), false);
  assert.equal(isTrustProxyConfigured(true), true);
  assert.equal(isTrustProxyConfigured(1), true);
  assert.equal(isTrustProxyConfigured('10.0.0.1'), true);
  assert.equal(isTrustProxyConfigured(byIndex), true);
});
