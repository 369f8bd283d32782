/**
 * decideCsrf as a table: method × Sec-Fetch-Site × Origin × credentials × token. Every row is
 * checked against an independent statement of the rules, and named rows pin the reasons.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideCsrf, type CsrfDecision, type CsrfRequest } from '../../src/csrf/decide.ts';

const OWN = 'https://app.example';
const ALLOWED = 'https://partner.example';
const policy = { allowedOrigins: new Set([ALLOWED]), allowSameSite: false };

type Token = 'none' | 'valid' | 'invalid';
interface Row {
  method: string;
  site: string | undefined;
  origin: string | undefined;
  credentials: boolean;
  token: Token;
}

function request(row: Row): CsrfRequest & { reads: string[] } {
  const reads: string[] = [];
  const headers: Record<string, string | undefined> = { 'sec-fetch-site': row.site, origin: row.origin, host: 'app.example' };
  return {
    reads,
    method: row.method,
    header: (name) => headers[name],
    get secure() {
      reads.push('secure');
      return true;
    },
    get hasCredentials() {
      reads.push('credentials');
      return row.credentials;
    },
    get token() {
      return row.token === 'none' ? undefined : row.token;
    },
    tokenMatches(token) {
      reads.push('mac');
      return token === 'valid';
    },
  };
}

/** The rules, restated. */
function expected(row: Row, allowSameSite = false): CsrfDecision {
  if (['GET', 'HEAD', 'OPTIONS'].includes(row.method)) return { ok: true };
  if (row.origin === ALLOWED) return { ok: true };
  if (row.site !== undefined) {
    if (row.site === 'same-origin' || row.site === 'none') return { ok: true };
    if (row.site === 'same-site') return allowSameSite ? { ok: true } : { ok: false, reason: 'same-site' };
    if (row.site === 'cross-site') return { ok: false, reason: 'cross-site' };
    return { ok: false, reason: 'bad-fetch-site' };
  }
  if (row.origin !== undefined) {
    if (row.origin === 'null') return { ok: false, reason: 'origin-null' };
    return row.origin === OWN ? { ok: true } : { ok: false, reason: 'origin-mismatch' };
  }
  if (!row.credentials) return { ok: true };
  if (row.token === 'none') return { ok: false, reason: 'token-missing' };
  return row.token === 'valid' ? { ok: true } : { ok: false, reason: 'token-invalid' };
}

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];
const SITES = [undefined, 'same-origin', 'same-site', 'cross-site', 'none', 'bogus'];
const ORIGINS = [undefined, OWN, 'https://app.example:443', 'http://app.example', 'https://evil.example', ALLOWED, 'null', 'https://app.example.evil'];
const rows: Row[] = [];
for (const method of METHODS)
  for (const site of SITES)
    for (const origin of ORIGINS)
      for (const credentials of [false, true])
        for (const token of ['none', 'valid', 'invalid'] as const) rows.push({ method, site, origin, credentials, token });

describe('decideCsrf: the full table', () => {
  it(`${rows.length} combinations follow the rules`, () => {
    for (const row of rows) {
      assert.deepEqual(decideCsrf(request(row), policy), expected(row), JSON.stringify(row));
      assert.deepEqual(decideCsrf(request(row), { ...policy, allowSameSite: true }), expected(row, true), JSON.stringify(row));
    }
  });

  it('safe methods read nothing; headers decide without a cookie or MAC', () => {
    for (const row of rows) {
      const r = request(row);
      decideCsrf(r, policy);
      if (['GET', 'HEAD', 'OPTIONS'].includes(row.method) || row.site !== undefined) assert.deepEqual(r.reads, [], JSON.stringify(row));
      if (row.site !== undefined || row.origin !== undefined) assert.ok(!r.reads.includes('mac'), JSON.stringify(row));
    }
  });
});

describe('decideCsrf: named cases', () => {
  const cases: Array<[string, Row, CsrfDecision]> = [
    ['cross-site form post', { method: 'POST', site: 'cross-site', origin: 'https://evil.example', credentials: true, token: 'valid' }, { ok: false, reason: 'cross-site' }],
    ['cross-site GET passes', { method: 'GET', site: 'cross-site', origin: undefined, credentials: true, token: 'none' }, { ok: true }],
    ['user-initiated navigation', { method: 'POST', site: 'none', origin: undefined, credentials: true, token: 'none' }, { ok: true }],
    ['Origin: null (sandboxed frame)', { method: 'POST', site: undefined, origin: 'null', credentials: true, token: 'valid' }, { ok: false, reason: 'origin-null' }],
    ['own origin, explicit default port', { method: 'POST', site: undefined, origin: 'https://app.example:443', credentials: true, token: 'none' }, { ok: false, reason: 'origin-mismatch' }],
    ['http origin to an https app', { method: 'POST', site: undefined, origin: 'http://app.example', credentials: false, token: 'none' }, { ok: false, reason: 'origin-mismatch' }],
    ['allowed partner, cross-site', { method: 'POST', site: 'cross-site', origin: ALLOWED, credentials: true, token: 'none' }, { ok: true }],
    ['old browser, no cookie', { method: 'POST', site: undefined, origin: undefined, credentials: false, token: 'none' }, { ok: true }],
    ['old browser, cookie, no token', { method: 'DELETE', site: undefined, origin: undefined, credentials: true, token: 'none' }, { ok: false, reason: 'token-missing' }],
    ['old browser, cookie, forged token', { method: 'POST', site: undefined, origin: undefined, credentials: true, token: 'invalid' }, { ok: false, reason: 'token-invalid' }],
    ['old browser, cookie, good token', { method: 'POST', site: undefined, origin: undefined, credentials: true, token: 'valid' }, { ok: true }],
    ['lower-case method is not safe', { method: 'post', site: 'cross-site', origin: undefined, credentials: false, token: 'none' }, { ok: false, reason: 'cross-site' }],
  ];
  for (const [name, row, want] of cases) {
    it(name, () => assert.deepEqual(decideCsrf(request(row), policy), want));
  }

  it('own origin over plain http with a port', () => {
    const headers: Record<string, string> = { origin: 'http://localhost:3000', host: 'localhost:3000' };
    const r: CsrfRequest = { method: 'POST', header: (n) => headers[n], secure: false, hasCredentials: true, token: undefined, tokenMatches: () => false };
    assert.deepEqual(decideCsrf(r, policy), { ok: true });
    assert.deepEqual(decideCsrf({ ...r, secure: true }, policy), { ok: false, reason: 'origin-mismatch' });
  });
});
