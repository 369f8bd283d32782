/**
 * The CSRF behaviour table every adapter runs over real HTTP: header combinations, tokens in the
 * header and in a parsed form, Vary, the login-CSRF scenario, rotation on login with the grace
 * window under a frozen clock, report-only and same-site.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../../src/core/events.ts';
import { MemoryStore } from '../../../src/stores/memory/index.ts';
import { TestClock } from '../../support/clock.ts';
import { cookiesOf, send, type SendOptions } from './client.ts';
import type { CsrfFixture, RunningCsrfApp } from './fixture.ts';

const SECRET = randomBytes(32).toString('base64url');
const PARTNER = 'https://partner.example';

interface Booted {
  app: RunningCsrfApp;
  clock: TestClock;
  refusals: Array<Extract<SessionEvent, { type: 'csrf-refused' }>>;
}

async function boot(fixture: CsrfFixture, csrfOptions: Record<string, unknown> = {}): Promise<Booted> {
  const clock = new TestClock();
  const logger = { info() {}, warn() {}, error() {} };
  const app = await fixture.start({
    sessionOptions: { secrets: SECRET, store: new MemoryStore({ sweepInterval: 0 }), clock: clock.now, production: false, logger },
    csrfOptions: { allowedOrigins: [PARTNER], ...csrfOptions },
  });
  const refusals: Booted['refusals'] = [];
  app.engine.on('csrf-refused', (e) => refusals.push(e));
  return { app, clock, refusals };
}

type Cred = 'none' | 'session';
type Tok = 'none' | 'header' | 'form' | 'bad-form' | 'other-session';
interface Row {
  name: string;
  method?: string;
  headers?: (own: string) => Record<string, string>;
  cred: Cred;
  token: Tok;
  status: number;
  reason?: string;
}

const ROWS: Row[] = [
  { name: 'GET, cross-site', method: 'GET', headers: () => ({ 'sec-fetch-site': 'cross-site' }), cred: 'session', token: 'none', status: 200 },
  { name: 'same-origin, no cookie', headers: () => ({ 'sec-fetch-site': 'same-origin' }), cred: 'none', token: 'none', status: 200 },
  { name: 'same-origin, session', headers: () => ({ 'sec-fetch-site': 'same-origin' }), cred: 'session', token: 'none', status: 200 },
  { name: 'none (typed URL / bookmark)', headers: () => ({ 'sec-fetch-site': 'none' }), cred: 'session', token: 'none', status: 200 },
  { name: 'cross-site, session', headers: () => ({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), cred: 'session', token: 'header', status: 403, reason: 'cross-site' },
  { name: 'cross-site, no cookie', headers: () => ({ 'sec-fetch-site': 'cross-site' }), cred: 'none', token: 'none', status: 403, reason: 'cross-site' },
  { name: 'same-site (not allowed)', headers: () => ({ 'sec-fetch-site': 'same-site' }), cred: 'session', token: 'none', status: 403, reason: 'same-site' },
  { name: 'allowed partner origin, cross-site', headers: () => ({ 'sec-fetch-site': 'cross-site', origin: PARTNER }), cred: 'session', token: 'none', status: 200 },
  { name: 'own Origin only', headers: (own) => ({ origin: own }), cred: 'session', token: 'none', status: 200 },
  { name: 'foreign Origin only', headers: () => ({ origin: 'http://evil.example' }), cred: 'session', token: 'none', status: 403, reason: 'origin-mismatch' },
  { name: 'Origin: null', headers: () => ({ origin: 'null' }), cred: 'session', token: 'form', status: 403, reason: 'origin-null' },
  { name: 'PUT, foreign Origin, no cookie', method: 'PUT', headers: () => ({ origin: 'http://evil.example' }), cred: 'none', token: 'none', status: 403, reason: 'origin-mismatch' },
  { name: 'no headers, no cookie', cred: 'none', token: 'none', status: 200 },
  { name: 'no headers, session, no token', cred: 'session', token: 'none', status: 403, reason: 'token-missing' },
  { name: 'no headers, session, header token', cred: 'session', token: 'header', status: 200 },
  { name: 'no headers, session, form token', cred: 'session', token: 'form', status: 200 },
  { name: 'no headers, session, bad form token', cred: 'session', token: 'bad-form', status: 403, reason: 'token-invalid' },
  { name: "no headers, session, another session's token", cred: 'session', token: 'other-session', status: 403, reason: 'token-invalid' },
];

/** A stored session: its cookie and a token rendered for it. */
async function sessionWithToken(port: number): Promise<{ cookie: string; token: string }> {
  const set = await send(port, '/set');
  const cookie = cookiesOf(set);
  assert.notEqual(cookie, '', 'GET /set stores a session');
  const form = await send(port, '/form', { cookie });
  assert.deepEqual(form.setCookies, [], 'a session-bound token needs no pre-session cookie');
  return { cookie, token: form.body };
}

export function runCsrfSuite(fixture: CsrfFixture): void {
  describe(`csrf over HTTP: ${fixture.name}`, () => {
    describe('the behaviour table', () => {
      let b: Booted;
      let mine: { cookie: string; token: string };
      let other: { cookie: string; token: string };
      before(async () => {
        b = await boot(fixture);
        mine = await sessionWithToken(b.app.port);
        other = await sessionWithToken(b.app.port);
      });
      after(() => b.app.close());

      for (const row of ROWS) {
        it(`${row.name} → ${row.status}`, async () => {
          b.refusals.length = 0;
          const own = `http://127.0.0.1:${b.app.port}`;
          const options: SendOptions = { method: row.method ?? 'POST', headers: { ...row.headers?.(own) } };
          if (row.cred === 'session') options.cookie = mine.cookie;
          if (row.token === 'header') (options.headers as Record<string, string>)['x-csrf-token'] = mine.token;
          if (row.token === 'form') options.form = { _csrf: mine.token, other: 'x' };
          if (row.token === 'bad-form') options.form = { _csrf: `${mine.token.slice(0, -2)}${mine.token.endsWith('AA') ? 'BB' : 'AA'}` };
          if (row.token === 'other-session') (options.headers as Record<string, string>)['x-csrf-token'] = other.token;
          const reply = await send(b.app.port, '/action', options);
          assert.equal(reply.status, row.status, reply.body);
          if (row.status === 200) assert.equal(reply.body, 'ok');
          assert.deepEqual(b.refusals.map((r) => r.reason), row.reason === undefined ? [] : [row.reason]);
          if (options.method !== 'GET') {
            assert.match(reply.vary ?? '', /Origin/i, 'Vary names Origin');
            assert.match(reply.vary ?? '', /Sec-Fetch-Site/i, 'Vary names Sec-Fetch-Site');
          }
          const refusal = b.refusals[0];
          if (refusal !== undefined) {
            assert.equal(refusal.reportOnly, false);
            assert.equal(refusal.method, options.method);
            assert.equal(refusal.path, '/action');
            assert.ok(!JSON.stringify(refusal).includes(mine.token), 'the event never carries the token');
          }
        });
      }

      it('a safe method gets no Vary from csrf', async () => {
        const reply = await send(b.app.port, '/form', { cookie: mine.cookie, headers: { 'sec-fetch-site': 'cross-site' } });
        assert.equal(reply.status, 200);
        assert.doesNotMatch(reply.vary ?? '', /Sec-Fetch-Site/i);
      });
    });

    it('login CSRF: the login form before any session is bound to a pre-session cookie', async () => {
      const b = await boot(fixture);
      try {
        const port = b.app.port;
        const page = await send(port, '/form');
        assert.equal(page.status, 200);
        assert.equal(page.setCookies.length, 1, 'only the pre-session cookie, no session');
        assert.match(page.setCookies[0] ?? '', /^holdfast-csrf=[^;]+;.*HttpOnly.*SameSite=Lax/i);
        const pre = cookiesOf(page);
        const token = page.body;
        // An attacker's cross-site form in an old browser: no Fetch Metadata, no Origin, no token.
        const forged = await send(port, '/login?user=mallory', { method: 'POST', cookie: pre, form: { user: 'mallory' } });
        assert.equal(forged.status, 403);
        assert.deepEqual(b.refusals.map((r) => r.reason), ['token-missing']);
        const real = await send(port, '/login?user=alice', { method: 'POST', cookie: pre, form: { _csrf: token } });
        assert.equal(real.status, 200, real.body);
        const sessionCookie = real.setCookies.map((c) => c.slice(0, c.indexOf(';'))).find((p) => !p.startsWith('holdfast-csrf='));
        assert.ok(sessionCookie !== undefined, 'login set the session cookie');
        assert.notEqual(real.body, token, 'the token after login is bound to the new session');
        const next = await send(port, '/action', { method: 'POST', cookie: sessionCookie, headers: { 'x-csrf-token': real.body } });
        assert.equal(next.status, 200);
      } finally {
        await b.app.close();
      }
    });

    it('rotation on login: the previous token counts for 60 s (frozen clock), then only the new one', async () => {
      const b = await boot(fixture);
      try {
        const port = b.app.port;
        const { cookie, token: before } = await sessionWithToken(port);
        const login = await send(port, '/login?user=alice', { method: 'POST', cookie, headers: { 'x-csrf-token': before } });
        assert.equal(login.status, 200, login.body);
        const rotated = cookiesOf(login);
        assert.ok(rotated !== '' && rotated !== cookie, 'a new session cookie');
        const afterLogin = login.body;
        assert.notEqual(afterLogin, before);
        const post = async (token: string): Promise<number> => (await send(port, '/action', { method: 'POST', cookie: rotated, headers: { 'x-csrf-token': token } })).status;
        assert.equal(await post(before), 200, 'previous token within the grace');
        b.clock.advance('60s');
        assert.equal(await post(before), 200, 'previous token at 60 s');
        b.clock.advance(1);
        assert.equal(await post(before), 403, 'previous token after the grace');
        assert.equal(await post(afterLogin), 200, 'the new token');
        assert.equal((await send(port, '/form', { cookie: rotated })).body, afterLogin, 'templates get the new token');
      } finally {
        await b.app.close();
      }
    });

    it('report-only: a cross-site POST passes and is reported', async () => {
      const b = await boot(fixture, { reportOnly: true });
      try {
        const reply = await send(b.app.port, '/action', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
        assert.equal(reply.status, 200);
        assert.deepEqual(b.refusals.map((r) => [r.reason, r.reportOnly]), [['cross-site', true]]);
      } finally {
        await b.app.close();
      }
    });

    it('allowSameSite: a same-site POST passes', async () => {
      const b = await boot(fixture, { allowSameSite: true });
      try {
        assert.equal((await send(b.app.port, '/action', { method: 'POST', headers: { 'sec-fetch-site': 'same-site' } })).status, 200);
        assert.equal((await send(b.app.port, '/action', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
      } finally {
        await b.app.close();
      }
    });

    it('a wildcard origin fails at construction with a ConfigError', async () => {
      await assert.rejects(boot(fixture, { allowedOrigins: ['https://*.example.com'] }), (e: Error) => (e as { code?: string }).code === 'ERR_HOLDFAST_CONFIG' && /wildcard/.test(e.message));
    });
  });
}
