import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditLineOf, auditRecordOf, vocabularyArg } from './audit-vocabulary.ts';
import type { SessionEvent } from './events.ts';

const base = { time: Date.UTC(2026, 0, 2, 3, 4, 5), ip: '203.0.113.9', method: 'POST', path: '/login', handle: 'AbCdEfGhIjKl' };

const CASES: [string, Partial<SessionEvent> & { type: SessionEvent['type'] }, string][] = [
  ['created, anonymous', { type: 'created', userId: null }, 'session_created'],
  ['created, signed in', { type: 'created', userId: 'alice' }, 'session_created:alice'],
  ['login', { type: 'login', userId: 'alice', previousHandle: 'x' }, 'authn_login_success:alice'],
  ['regenerated', { type: 'regenerated', userId: 'alice', previousHandle: 'x' }, 'session_renewed:alice'],
  ['regenerated, anonymous', { type: 'regenerated', userId: null, previousHandle: undefined }, 'session_renewed'],
  ['logout', { type: 'logout', userId: 'alice' }, 'session_expired:alice,logout'],
  ['destroyed', { type: 'destroyed', userId: null }, 'session_expired:,destroyed'],
  ['expired idle', { type: 'expired', userId: 'alice', reason: 'idle' }, 'session_expired:alice,idle'],
  ['expired absolute', { type: 'expired', userId: 'alice', reason: 'absolute' }, 'session_expired:alice,absolute'],
  ['expired anonymous', { type: 'expired', userId: null, reason: 'anonymous' }, 'session_expired:,anonymous'],
  ['revoked', { type: 'revoked', userId: 'alice', reason: 'revoke' }, 'session_expired:alice,revoked'],
  ['revoked all', { type: 'revoked', userId: 'alice', reason: 'revoke-all' }, 'session_expired:alice,revoked'],
  ['session limit', { type: 'revoked', userId: 'alice', reason: 'session-limit' }, 'session_expired:alice,session_limit'],
  ['rejected unknown', { type: 'rejected', userId: null, reason: 'unknown' }, 'session_use_after_expire'],
  ['rejected bad signature', { type: 'rejected', userId: null, reason: 'bad-signature' }, 'authz_fail:,session'],
  ['rejected malformed', { type: 'rejected', userId: null, reason: 'malformed' }, 'authz_fail:,session'],
  ['rejected corrupt', { type: 'rejected', userId: null, reason: 'corrupt-record' }, 'authz_fail:,session'],
  ['token reuse', { type: 'token-reuse', userId: 'alice' }, 'authn_token_reuse:alice,AbCdEfGhIjKl'],
  ['csrf refused', { type: 'csrf-refused', userId: 'alice', reason: 'cross-site', reportOnly: false }, 'authz_fail:alice,csrf'],
  ['csrf report-only', { type: 'csrf-refused', userId: null, reason: 'token-invalid', reportOnly: true }, 'authz_fail:,csrf'],
  ['user id with separators', { type: 'login', userId: 'a,b:c%\n', previousHandle: undefined }, 'authn_login_success:a%2Cb%3Ac%25%0A'],
];

for (const [name, event, expected] of CASES) {
  test(`OWASP name: ${name} -> ${expected}`, () => {
    assert.equal(auditLineOf({ ...base, ...event } as SessionEvent).event, expected);
  });
}

test('vocabularyArg leaves ordinary IDs alone and encodes only the grammar characters', () => {
  assert.equal(vocabularyArg('user-42@example.com'), 'user-42@example.com');
  assert.equal(vocabularyArg(null), '');
  assert.equal(vocabularyArg('\u007f'), '%7F');
});

test('the record carries OWASP fields and the handle, with an ISO datetime', () => {
  const record = auditRecordOf({ ...base, type: 'expired', userId: 'bob', reason: 'idle' });
  assert.deepEqual(record, {
    datetime: '2026-01-02T03:04:05.000Z',
    event: 'session_expired:bob,idle',
    description: 'User bob session expired (idle timeout)',
    type: 'expired',
    session: 'AbCdEfGhIjKl',
    userId: 'bob',
    source_ip: '203.0.113.9',
    request_method: 'POST',
    request_uri: '/login',
    reason: 'idle',
  });
  assert.equal(auditRecordOf({ ...base, type: 'login', userId: 'bob', previousHandle: 'OldHandle123' })['previousSession'], 'OldHandle123');
});
