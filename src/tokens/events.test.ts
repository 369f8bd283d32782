/** Token events through a logger: the OWASP vocabulary names, never a token; listeners isolated. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenEvents, tokenAuditLineOf, type TokenEvent } from './events.ts';

const base = { time: Date.UTC(2026, 0, 2, 3, 4, 5), ip: '203.0.113.9', userId: 'alice', handle: 'AbCdEfGhIjKlMnOpQrStUv' };

const CASES: [TokenEvent, string][] = [
  [{ ...base, type: 'issued' }, 'authn_token_created:alice'],
  [{ ...base, type: 'refreshed', gen: 3, grace: false }, 'authn_token_created:alice'],
  [{ ...base, type: 'token-reuse', reason: 'replay', gen: 1, currentGen: 3 }, 'authn_token_reuse:alice,AbCdEfGhIjKlMnOpQrStUv'],
  [{ ...base, type: 'revoked', reason: 'reuse' }, 'authn_token_revoked:alice,AbCdEfGhIjKlMnOpQrStUv'],
  [{ ...base, type: 'expired', reason: 'absolute' }, 'authn_token_delete:alice,AbCdEfGhIjKlMnOpQrStUv'],
  [{ ...base, userId: null, handle: undefined, type: 'rejected', reason: 'bad-signature', token: 'access' }, 'authz_fail:,token'],
  [{ ...base, userId: 'a,b:c', type: 'issued' }, 'authn_token_created:a%2Cb%3Ac'],
];

for (const [event, name] of CASES) {
  test(`token event ${event.type} (${'reason' in event ? event.reason : ''}) is logged as ${name}`, () => {
    assert.equal(tokenAuditLineOf(event).event, name);
  });
}

test('a logger gets the record at the event level; a throwing listener is logged, the next still runs', () => {
  const lines: [string, Record<string, unknown>, string][] = [];
  const logger = {
    info: (obj: Record<string, unknown>, msg?: string) => void lines.push(['info', obj, msg ?? '']),
    warn: (obj: Record<string, unknown>, msg?: string) => void lines.push(['warn', obj, msg ?? '']),
    error: (obj: Record<string, unknown>, msg?: string) => void lines.push(['error', obj, msg ?? '']),
  };
  const events = new TokenEvents(logger);
  const seen: string[] = [];
  events.on('token-reuse', () => {
    throw new Error('listener bug');
  });
  const off = events.on('token-reuse', (e) => seen.push(e.reason));
  const { type: _type, ...reuse } = { ...base, type: 'token-reuse' as const, reason: 'grace-expired' as const, gen: 1, currentGen: 2 };
  events.emit('token-reuse', reuse);
  off();
  events.emit('token-reuse', reuse);
  assert.deepEqual(seen, ['grace-expired']);
  const warn = lines.filter(([level]) => level === 'warn');
  assert.equal(warn.length, 2);
  assert.equal(warn[0]?.[1].event, 'authn_token_reuse:alice,AbCdEfGhIjKlMnOpQrStUv');
  assert.equal(warn[0]?.[1].datetime, '2026-01-02T03:04:05.000Z');
  assert.match(warn[0]?.[2] ?? '', /presented again \(grace-expired\)/);
  assert.ok(lines.some(([level, , msg]) => level === 'error' && msg.includes('"token-reuse" token event listener threw')));
});
