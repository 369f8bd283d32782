import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSetCookie } from 'cookie';
import { createCookiePolicy, noStoreCacheControl, type CookieOptions } from './cookie-policy.ts';
import { ConfigError } from './errors.ts';

/** Attributes of a Set-Cookie value as a lower-cased name → value map (flags map to ''). */
function attrs(setCookie: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair, ...rest] = setCookie.split('; ');
  const eq = (pair as string).indexOf('=');
  const map = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf('=');
    map.set((i < 0 ? part : part.slice(0, i)).toLowerCase(), i < 0 ? '' : part.slice(i + 1));
  }
  assert.equal(map.size, rest.length, `no duplicate attributes in ${setCookie}`);
  return { name: (pair as string).slice(0, eq), value: (pair as string).slice(eq + 1), attrs: map };
}

interface NameCase {
  options: CookieOptions;
  production: boolean;
  secure: string;
  plain: string;
  canSendPlain: boolean;
}

const names: NameCase[] = [
  { options: {}, production: false, secure: '__Host-sid', plain: 'sid', canSendPlain: true },
  { options: {}, production: true, secure: '__Host-sid', plain: 'sid', canSendPlain: false },
  { options: { domain: 'example.com' }, production: false, secure: '__Secure-sid', plain: 'sid', canSendPlain: true },
  { options: { path: '/app' }, production: false, secure: '__Secure-sid', plain: 'sid', canSendPlain: true },
  { options: { domain: '.example.com', path: '/app' }, production: true, secure: '__Secure-sid', plain: 'sid', canSendPlain: false },
  { options: { name: 'app_session' }, production: false, secure: 'app_session', plain: 'app_session', canSendPlain: true },
  { options: { name: 'app_session' }, production: true, secure: 'app_session', plain: 'app_session', canSendPlain: false },
  { options: { name: '__Host-app' }, production: false, secure: '__Host-app', plain: '__Host-app', canSendPlain: false },
  { options: { name: '__Secure-app', domain: 'example.com' }, production: false, secure: '__Secure-app', plain: '__Secure-app', canSendPlain: false },
  { options: { name: '__secure-app' }, production: false, secure: '__secure-app', plain: '__secure-app', canSendPlain: false },
  { options: { sameSite: 'none' }, production: false, secure: '__Host-sid', plain: 'sid', canSendPlain: false },
  { options: { sameSite: 'None' as 'none' }, production: false, secure: '__Host-sid', plain: 'sid', canSendPlain: false },
  { options: { partitioned: true }, production: false, secure: '__Host-sid', plain: 'sid', canSendPlain: false },
  { options: { sameSite: 'strict' }, production: false, secure: '__Host-sid', plain: 'sid', canSendPlain: true },
];

test('cookie names and whether a plain-http request may get one', () => {
  for (const c of names) {
    const policy = createCookiePolicy(c.options, c.production);
    const label = `${JSON.stringify(c.options)} production=${c.production}`;
    assert.equal(policy.nameFor(true), c.secure, label);
    assert.equal(policy.nameFor(false), c.plain, label);
    assert.equal(policy.canSend(true), true, label);
    assert.equal(policy.canSend(false), c.canSendPlain, label);
    assert.equal(policy.secureRequired, !c.canSendPlain, label);
    assert.equal(policy.customName, c.options.name !== undefined, label);
  }
});

test('default attributes: Path=/, HttpOnly, Secure, SameSite=Lax, no Domain, Max-Age in whole seconds', () => {
  const policy = createCookiePolicy({}, true);
  const { name, value, attrs: a } = attrs(policy.serialize(true, 'abc.def', 1_800_999));
  assert.equal(name, '__Host-sid');
  assert.equal(value, 'abc.def');
  assert.deepEqual(
    [...a.entries()].sort(),
    [['httponly', ''], ['max-age', '1800'], ['path', '/'], ['samesite', 'Lax'], ['secure', '']],
  );
});

test('plain http in development: sid without Secure', () => {
  const { name, attrs: a } = attrs(createCookiePolicy({}, false).serialize(false, 'v', 60_000));
  assert.equal(name, 'sid');
  assert.equal(a.has('secure'), false);
  assert.equal(a.get('samesite'), 'Lax');
  assert.equal(a.has('httponly'), true);
});

interface AttrCase {
  options: CookieOptions;
  expect: Record<string, string | undefined>;
}

const attributeCases: AttrCase[] = [
  { options: { sameSite: 'lax' }, expect: { samesite: 'Lax' } },
  { options: { sameSite: 'strict' }, expect: { samesite: 'Strict' } },
  { options: { sameSite: 'none' }, expect: { samesite: 'None', secure: '' } },
  { options: { sameSite: 'STRICT' as 'strict' }, expect: { samesite: 'Strict' } },
  { options: { partitioned: true }, expect: { partitioned: '', secure: '' } },
  { options: { partitioned: false }, expect: { partitioned: undefined } },
  { options: { priority: 'low' }, expect: { priority: 'Low' } },
  { options: { priority: 'medium' }, expect: { priority: 'Medium' } },
  { options: { priority: 'high' }, expect: { priority: 'High' } },
  { options: {}, expect: { priority: undefined, domain: undefined, expires: undefined } },
  { options: { persistent: false }, expect: { 'max-age': undefined, expires: undefined } },
  { options: { persistent: true }, expect: { 'max-age': '90' } },
  { options: { domain: 'example.com' }, expect: { domain: 'example.com', path: '/' } },
  { options: { path: '/app' }, expect: { path: '/app', domain: undefined } },
];

test('attribute table', () => {
  for (const c of attributeCases) {
    const { attrs: a } = attrs(createCookiePolicy(c.options, false).serialize(true, 'v', 90_500));
    for (const [key, expected] of Object.entries(c.expect)) {
      assert.equal(a.get(key), expected, `${JSON.stringify(c.options)}: ${key}`);
    }
    assert.equal(a.has('httponly'), true);
  }
});

test('Max-Age never goes negative', () => {
  const { attrs: a } = attrs(createCookiePolicy({}, false).serialize(true, 'v', -5000));
  assert.equal(a.get('max-age'), '0');
});

const impossible: [string, unknown][] = [
  ['__Host- with Domain', { name: '__Host-sid', domain: 'example.com' }],
  ['__Host- with Path=/app', { name: '__Host-sid', path: '/app' }],
  ['__host- (any case) with Domain', { name: '__host-sid', domain: 'example.com' }],
  ['empty name', { name: '' }],
  ['name with space', { name: 'my sid' }],
  ['name with =', { name: 'a=b' }],
  ['name with ;', { name: 'a;b' }],
  ['name with non-ASCII', { name: 'sïd' }],
  ['name not a string', { name: 42 }],
  ['bad sameSite', { sameSite: 'sometimes' }],
  ['sameSite true (express-session style)', { sameSite: true }],
  ['sameSite empty', { sameSite: '' }],
  ['bad priority', { priority: 'urgent' }],
  ['partitioned not boolean', { partitioned: 'yes' }],
  ['persistent not boolean', { persistent: 1 }],
  ['empty domain', { domain: '' }],
  ['domain with ;', { domain: 'a.com; Secure' }],
  ['domain with a port', { domain: 'example.com:8080' }],
  ['domain with _', { domain: 'ex_ample.com' }],
  ['relative path', { path: 'app' }],
  ['path with ;', { path: '/a;b' }],
  ['path with space', { path: '/a b' }],
  ['non-ASCII path', { path: '/ä' }],
  ['path not a string', { path: 5 }],
  ['cookie option not an object', 'strict'],
  ['cookie option null', null],
];

test('impossible or invalid combinations throw a ConfigError at construction', () => {
  for (const [label, options] of impossible) {
    for (const production of [false, true]) {
      assert.throws(() => createCookiePolicy(options as CookieOptions, production), ConfigError, label);
    }
  }
});

test('the __Host- error says what to do', () => {
  assert.throws(() => createCookiePolicy({ name: '__Host-sid', path: '/app' }, false), /drop cookie\.domain \/ cookie\.path, or use a "__Secure-" name/);
});

test('clear() carries the same attributes plus Max-Age=0 and an epoch Expires', () => {
  const variants: CookieOptions[] = [
    {},
    { sameSite: 'none', partitioned: true, priority: 'high' },
    { domain: 'example.com', path: '/app', sameSite: 'strict' },
    { persistent: false },
    { name: 'custom' },
  ];
  for (const options of variants) {
    const policy = createCookiePolicy(options, false);
    for (const secure of [true, false]) {
      if (!policy.canSend(secure)) continue;
      const set = attrs(policy.serialize(secure, 'v', 60_000));
      const cleared = attrs(policy.clear(secure));
      const label = `${JSON.stringify(options)} secure=${secure}`;
      assert.equal(cleared.name, set.name, label);
      assert.equal(cleared.value, '', label);
      assert.equal(cleared.attrs.get('max-age'), '0', label);
      assert.equal(cleared.attrs.get('expires'), 'Thu, 01 Jan 1970 00:00:00 GMT', label);
      for (const [key, value] of set.attrs) {
        if (key === 'max-age') continue;
        assert.equal(cleared.attrs.get(key), value, `${label}: ${key}`);
      }
      assert.equal(cleared.attrs.size, set.attrs.size + (set.attrs.has('max-age') ? 1 : 2), label);
    }
  }
});

test('serialised values parse back with the cookie package', () => {
  const parsed = parseSetCookie(createCookiePolicy({ sameSite: 'strict', priority: 'low' }, true).serialize(true, 'a.b', 10_000));
  assert.equal(parsed.name, '__Host-sid');
  assert.equal(parsed.value, 'a.b');
  assert.equal(parsed.maxAge, 10);
  assert.equal(parsed.secure, true);
  assert.equal(parsed.httpOnly, true);
});

const cacheControl: [string | undefined, string][] = [
  [undefined, 'no-store'],
  ['', 'no-store'],
  ['public, max-age=3600', 'no-store'],
  ['private', 'no-store'],
  ['no-cache', 'no-store'],
  ['no-store', 'no-store'],
  ['NO-STORE', 'NO-STORE'],
  ['private, no-store', 'private, no-store'],
  ['no-store, max-age=0', 'no-store, max-age=0'],
  ['private,no-store,no-cache', 'private,no-store,no-cache'],
  ['no-storeX', 'no-store'],
  ['x-no-store', 'no-store'],
  ['max-age=0, must-revalidate', 'no-store'],
];

test('noStoreCacheControl keeps an existing no-store and otherwise answers no-store', () => {
  for (const [existing, expected] of cacheControl) {
    assert.equal(noStoreCacheControl(existing), expected, JSON.stringify(existing));
  }
});
