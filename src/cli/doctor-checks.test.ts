import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCookie, parseSetCookie, pickSessionCookie } from './doctor-cookie.ts';
import { exitCodeOf, finding, formatFindings } from './doctor-findings.ts';
import { checkCacheControl, checkHsts } from './doctor-headers.ts';

test('parseSetCookie: name, value, case-insensitive attributes, flags', () => {
  const c = parseSetCookie('__Host-sid=a.b; Path=/; SECURE; httponly; SameSite=Strict; Max-Age=60');
  assert.equal(c.name, '__Host-sid');
  assert.equal(c.value, 'a.b');
  assert.deepEqual([...c.attributes], [['path', '/'], ['secure', ''], ['httponly', ''], ['samesite', 'Strict'], ['max-age', '60']]);
});

test('pickSessionCookie: the named cookie, else holdfast defaults, never an unrelated one', () => {
  assert.equal(pickSessionCookie(['theme=dark', 'sid=x'])?.name, 'sid');
  assert.equal(pickSessionCookie(['theme=dark']), undefined);
  assert.equal(pickSessionCookie(['theme=dark', 'app=1'], 'app')?.name, 'app');
});

const COOKIES: [string, boolean, Record<string, string>][] = [
  ['__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=Lax', true, { 'cookie.secure': 'pass', 'cookie.samesite': 'pass', 'cookie.prefix': 'pass', 'cookie.max-age': 'pass' }],
  ['sid=a; Path=/; HttpOnly; SameSite=Lax', true, { 'cookie.secure': 'fail', 'cookie.prefix': 'warn' }],
  ['sid=a; Path=/; HttpOnly; SameSite=Lax', false, { 'cookie.secure': 'fail' }],
  ['__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=None', true, { 'cookie.samesite': 'warn' }],
  ['sid=a; Path=/; HttpOnly; SameSite=None', true, { 'cookie.samesite': 'fail' }],
  ['sid=a; Path=/; HttpOnly; SameSite=sometimes', true, { 'cookie.samesite': 'warn' }],
  ['sid=a; HttpOnly; Secure', true, { 'cookie.path': 'warn', 'cookie.samesite': 'warn' }],
  ['sid=a; Path=/; Secure; Max-Age=abc', true, { 'cookie.max-age': 'warn', 'cookie.httponly': 'fail' }],
  ['sid=a; Path=/; Secure; Expires=Wed, 21 Oct 2037 07:28:00 GMT', true, { 'cookie.max-age': 'pass' }],
  ['sid=a; Path=/; Secure; Domain=.example.com', true, { 'cookie.domain': 'warn' }],
];

for (const [line, https, expected] of COOKIES) {
  test(`checkCookie ${https ? 'https' : 'http'}: ${line}`, () => {
    const findings = checkCookie(parseSetCookie(line), https);
    for (const [id, status] of Object.entries(expected)) assert.equal(findings.find((f) => f.id === id)?.status, status, id);
  });
}

const HSTS: [string | undefined, string, string | undefined][] = [
  [undefined, 'hsts', 'fail'],
  ['max-age=31536000; includeSubDomains; preload', 'hsts.max-age', 'pass'],
  ['max-age="31536000"; includeSubDomains', 'hsts.max-age', 'pass'],
  ['MAX-AGE=31536000', 'hsts.subdomains', 'warn'],
  ['max-age=600', 'hsts.max-age', 'warn'],
  ['max-age=0', 'hsts.max-age', 'fail'],
  ['includeSubDomains', 'hsts.max-age', 'fail'],
  ['max-age=soon', 'hsts.max-age', 'fail'],
];

for (const [value, id, status] of HSTS) {
  test(`checkHsts ${value ?? '(absent)'} -> ${id} ${status}`, () => {
    const findings = checkHsts(value === undefined ? {} : { 'strict-transport-security': value });
    assert.equal(findings.find((f) => f.id === id)?.status, status);
  });
}

test('checkCacheControl wants no-store among the directives', () => {
  assert.equal(checkCacheControl({ 'cache-control': 'private, No-Store' }).status, 'pass');
  assert.equal(checkCacheControl({ 'cache-control': 'no-cache' }).status, 'fail');
  assert.equal(checkCacheControl({}).status, 'fail');
});

test('exit code 1 only for failures; the report counts each kind', () => {
  const warnOnly = [finding('a', 'warn', 'w', 'f'), finding('b', 'skip', 's')];
  assert.equal(exitCodeOf(warnOnly), 0);
  assert.equal(exitCodeOf([...warnOnly, finding('c', 'fail', 'x', 'y')]), 1);
  assert.match(formatFindings(warnOnly), /0 failed, 1 warnings, 0 passed, 1 not tested\n$/);
});
