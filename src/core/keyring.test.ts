import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from './errors.ts';
import { generateId } from './ids.ts';
import { createKeyring, isWeakSecret, MIN_SECRET_LENGTH } from './keyring.ts';

const GOOD = randomBytes(32).toString('base64url');
const OLD = randomBytes(32).toString('base64url');
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Another base64url character than `c`, varied by position so every alphabet region is used. */
function otherChar(c: string, i: number): string {
  const candidate = B64URL[i % 64] as string;
  return candidate === c ? (B64URL[(i + 1) % 64] as string) : candidate;
}

test('sign/verify round trip with the current secret gives keyIndex 0', () => {
  const ring = createKeyring(GOOD, true);
  for (let i = 0; i < 20; i++) {
    const id = generateId();
    const value = ring.sign(id);
    assert.equal(value.length, 87);
    assert.equal(value[43], '.');
    assert.ok(value.startsWith(`${id}.`));
    assert.deepEqual(ring.verify(value), { id, keyIndex: 0 });
  }
});

test('the MAC is base64url HMAC-SHA256 of the ID with the first secret', () => {
  const ring = createKeyring([GOOD, OLD], true);
  const id = generateId();
  const expected = createHmac('sha256', GOOD).update(id).digest('base64url');
  assert.equal(ring.sign(id), `${id}.${expected}`);
});

test('every single-character change of the ID or the MAC is rejected (all 86 positions)', () => {
  const ring = createKeyring(GOOD, false);
  const value = ring.sign(generateId());
  let checked = 0;
  for (let i = 0; i < value.length; i++) {
    if (i === 43) continue;
    const c = value[i] as string;
    for (const replacement of [otherChar(c, i), otherChar(c, i + 17), otherChar(c, i + 40)]) {
      const tampered = value.slice(0, i) + replacement + value.slice(i + 1);
      assert.notEqual(tampered, value);
      assert.equal(ring.verify(tampered), null, `position ${i}: ${c} → ${replacement}`);
    }
    checked++;
  }
  assert.equal(checked, 86);
});

test('malformed values are rejected without throwing', () => {
  const ring = createKeyring(GOOD, false);
  const value = ring.sign(generateId());
  const id = value.slice(0, 43);
  const mac = value.slice(44);
  const cases: [string, string][] = [
    ['empty', ''],
    ['ID only', id],
    ['ID and dot', `${id}.`],
    ['missing dot', `${id}${mac}`],
    ['missing dot, padded to length', `${id}A${mac}`],
    ['dot elsewhere', `${id.slice(0, 42)}.${id.slice(42)}${mac}`],
    ['extra dot', `${id}.${mac}.`],
    ['extra dot inside MAC', `${id}.${mac.slice(0, 20)}.${mac.slice(21)}`],
    ['one char short', value.slice(0, -1)],
    ['one char long', `${value}A`],
    ['MAC padded with =', `${id}.${mac.slice(0, 42)}=`],
    ['standard base64 + in MAC', `${id}.${mac.slice(0, 42)}+`],
    ['standard base64 / in MAC', `${id}.${mac.slice(0, 42)}/`],
    ['space in MAC', `${id}.${mac.slice(0, 42)} `],
    ['non-ASCII in MAC', `${id}.${mac.slice(0, 42)}é`],
    ['NUL in MAC', `${id}.${mac.slice(0, 42)}\u0000`],
    ['+ in ID', `+${id.slice(1)}.${mac}`],
    ['whole value doubled', value + value],
    ['dots only', '.'.repeat(87)],
    ['swapped parts', `${mac}.${id}`],
    ['unsigned raw ID', id],
    ['s: prefix like express-session', `s:${value.slice(2)}`],
  ];
  for (const [name, input] of cases) assert.equal(ring.verify(input), null, name);
});

test('a MAC from another secret is rejected', () => {
  const ours = createKeyring(GOOD, true);
  const theirs = createKeyring(OLD, true);
  assert.equal(ours.verify(theirs.sign(generateId())), null);
});

test('rotation: [new, old] verifies old cookies with keyIndex 1 and signs with the new secret', () => {
  const oldRing = createKeyring(OLD, true);
  const rotated = createKeyring([GOOD, OLD], true);
  const id = generateId();
  assert.deepEqual(rotated.verify(oldRing.sign(id)), { id, keyIndex: 1 });
  assert.deepEqual(rotated.verify(rotated.sign(id)), { id, keyIndex: 0 });
  assert.notEqual(rotated.sign(id), oldRing.sign(id));
  const three = createKeyring([randomBytes(32).toString('hex'), GOOD, OLD], true);
  assert.deepEqual(three.verify(oldRing.sign(id)), { id, keyIndex: 2 });
});

const PLACEHOLDERS = ['keyboard cat', 'secret', 'changeme', 'change me', 'password', 'default', 'test', 'dev', 'KEYBOARD CAT', '  Secret  '];

test('production: placeholders throw a ConfigError that says how to make a good secret', () => {
  for (const secret of PLACEHOLDERS) {
    assert.throws(() => createKeyring(secret, true), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /placeholder/);
      assert.match(error.message, /holdfast keygen/);
      // ('secret' itself is a word of the message: "the secret is a well-known placeholder")
      if (secret.trim().toLowerCase() !== 'secret') assert.ok(!error.message.includes(secret.trim()), `message must not echo "${secret}"`);
      return true;
    });
  }
});

test('production: short, repetitive or low-variety secrets throw; the message never contains the secret', () => {
  const bad: [string, RegExp][] = [
    ['a'.repeat(31), /31 characters/],
    [randomBytes(15).toString('hex').slice(0, MIN_SECRET_LENGTH - 1), /at least 32/],
    ['x'.repeat(64), /distinct characters/],
    ['ab'.repeat(32), /distinct characters/],
    ['abcdefg'.repeat(10), /distinct characters/],
  ];
  for (const [secret, message] of bad) {
    assert.throws(() => createKeyring(secret, true), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes(secret), 'message must not contain the secret');
      assert.ok(!error.message.includes(secret.slice(0, 8)), 'message must not contain part of the secret');
      return true;
    });
    assert.equal(isWeakSecret(secret), true);
  }
});

test('production: a bad secret among several is named by index', () => {
  assert.throws(() => createKeyring([GOOD, 'keyboard cat'], true), /secrets\[1\] is a well-known placeholder/);
  assert.throws(() => createKeyring([GOOD, 'short'], true), /secrets\[1\] is 5 characters/);
});

test('production: good random secrets pass', () => {
  for (let i = 0; i < 10; i++) {
    const secret = randomBytes(32).toString(i % 2 === 0 ? 'base64url' : 'hex');
    assert.doesNotThrow(() => createKeyring(secret, true));
    assert.equal(isWeakSecret(secret), false);
  }
  assert.doesNotThrow(() => createKeyring([GOOD, OLD], true));
});

test('development accepts short and placeholder secrets', () => {
  for (const secret of ['dev', 'keyboard cat', 'x', 'a'.repeat(5)]) {
    const ring = createKeyring(secret, false);
    const id = generateId();
    assert.deepEqual(ring.verify(ring.sign(id)), { id, keyIndex: 0 });
  }
});

test('missing or mistyped secrets throw in every mode', () => {
  const bad: unknown[] = [undefined, null, '', [], [''], [GOOD, ''], [GOOD, 3], 42, { secret: GOOD }, true];
  for (const production of [false, true]) {
    for (const secrets of bad) {
      assert.throws(() => createKeyring(secrets, production), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `ConfigError for ${JSON.stringify(secrets)}`);
        assert.match(error.message, /secrets/);
        assert.match(error.message, /keygen/);
        assert.ok(!error.message.includes(GOOD));
        return true;
      });
    }
  }
});
