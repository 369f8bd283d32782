import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeMorgan } from '../../test/support/fake-morgan.ts';
import { guardedRequestHeader, guardedResponseHeader, registerMorganTokens, sessionToken } from './morgan.ts';
import { pinoOptions } from './pino-options.ts';
import { CENSOR, REDACT_PATHS, scrubHeaders, scrubRequest, scrubResponse } from './redact.ts';
import { sessionHandleOf, sessionProps, sessionSerializer } from './session-fields.ts';

const HEADERS: [string, string | string[], boolean][] = [
  ['cookie', 'sid=abc.def', true],
  ['Cookie', 'sid=abc.def', true],
  ['authorization', 'Bearer x', true],
  ['proxy-authorization', 'Basic x', true],
  ['set-cookie', ['sid=abc; Path=/'], true],
  ['x-csrf-token', 't', true],
  ['x-xsrf-token', 't', true],
  ['x-refresh-token', 'r', true],
  ['user-agent', 'curl/8', false],
  ['x-forwarded-proto', 'https', false],
];

for (const [name, value, secret] of HEADERS) {
  test(`scrubHeaders: ${name} ${secret ? 'redacted' : 'kept'}`, () => {
    assert.deepEqual(scrubHeaders({ [name]: value })[name], secret ? CENSOR : value);
  });
}

test('REDACT_PATHS cover request and response credential headers and token body fields', () => {
  for (const path of ['req.headers["cookie"]', 'req.headers["authorization"]', 'res.headers["set-cookie"]', 'req.headers["x-csrf-token"]', 'req.body.refresh_token']) {
    assert.ok(REDACT_PATHS.includes(path), path);
  }
  assert.deepEqual(pinoOptions().redact.paths, [...REDACT_PATHS]);
});

test('scrubRequest / scrubResponse keep the useful fields and drop everything else', () => {
  const req = { method: 'GET', url: '/x', originalUrl: '/app/x', headers: { cookie: 'sid=1', host: 'h' }, rawHeaders: ['Cookie', 'sid=1'], socket: { remoteAddress: '::1', remotePort: 5 } };
  assert.deepEqual(JSON.parse(JSON.stringify(scrubRequest(req))), { method: 'GET', url: '/app/x', headers: { cookie: CENSOR, host: 'h' }, remoteAddress: '::1', remotePort: 5 });
  const res = { statusCode: 200, getHeaders: () => ({ 'set-cookie': ['sid=1'], 'cache-control': 'no-store' }) };
  assert.deepEqual(JSON.parse(JSON.stringify(scrubResponse(res))), { statusCode: 200, headers: { 'set-cookie': CENSOR, 'cache-control': 'no-store' } });
  assert.equal(scrubRequest(undefined), undefined);
});

const stored = { handle: 'AbCdEfGhIjKl', isNew: false, userId: 'alice', expiresAt: 0, id: 'RAW-ID-MUST-NOT-APPEAR' };

test('session helpers name a stored session by handle and never read the ID', () => {
  assert.equal(sessionHandleOf({ session: stored }), 'AbCdEfGhIjKl');
  assert.equal(sessionHandleOf({ session: { ...stored, isNew: true } }), undefined);
  assert.deepEqual(sessionProps({ session: stored }), { session: 'AbCdEfGhIjKl', userId: 'alice' });
  assert.deepEqual(sessionProps({}), {});
  const serialized = JSON.stringify(sessionSerializer(stored));
  assert.ok(!serialized.includes('RAW-ID'));
  assert.deepEqual(JSON.parse(serialized), { handle: 'AbCdEfGhIjKl', userId: 'alice', isNew: false, expiresAt: '1970-01-01T00:00:00.000Z' });
});

test('a lazy session accessor is not called (reading would create a session)', () => {
  let calls = 0;
  const req = {};
  Object.defineProperty(req, 'session', { get: () => (calls++, stored), configurable: true });
  assert.equal(sessionHandleOf(req), undefined);
  assert.deepEqual(sessionProps(req), {});
  assert.equal(calls, 0);
});

test('morgan: registerMorganTokens adds :session and guards :req[...] / :res[...]', () => {
  const morgan = fakeMorgan();
  assert.equal(registerMorganTokens(morgan), morgan);
  assert.equal(morgan['session'], sessionToken);
  assert.equal(morgan['req'], guardedRequestHeader);
  assert.equal(morgan['res'], guardedResponseHeader);
  const plain = registerMorganTokens(fakeMorgan(), { name: 'sess', guardHeaders: false });
  assert.equal(plain['sess'], sessionToken);
  assert.notEqual(plain['req'], guardedRequestHeader);
  assert.throws(() => registerMorganTokens({} as never), /token\(name, fn\)/);
  assert.throws(() => registerMorganTokens(fakeMorgan(), { name: 'a b' }), /token name/);
});

test('morgan header tokens: credentials redacted, other headers as morgan prints them', () => {
  const req = { headers: { cookie: 'sid=x', 'x-csrf-token': 't', accept: ['a', 'b'] } } as unknown as IncomingMessage;
  const res = { headersSent: true, getHeader: (n: string) => ({ 'set-cookie': ['sid=x'], 'content-type': 'text/plain' })[n] } as unknown as ServerResponse;
  assert.equal(guardedRequestHeader(req, res, 'Cookie'), CENSOR);
  assert.equal(guardedRequestHeader(req, res, 'x-csrf-token'), CENSOR);
  assert.equal(guardedRequestHeader(req, res, 'accept'), 'a, b');
  assert.equal(guardedRequestHeader(req, res, 'missing'), undefined);
  assert.equal(guardedResponseHeader(req, res, 'Set-Cookie'), CENSOR);
  assert.equal(guardedResponseHeader(req, res, 'content-type'), 'text/plain');
  assert.equal(guardedResponseHeader(req, { ...res, headersSent: false } as ServerResponse, 'content-type'), undefined);
  assert.equal(sessionToken({ session: stored } as unknown as IncomingMessage, res), 'AbCdEfGhIjKl');
});
