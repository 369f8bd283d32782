/**
 * `holdfast doctor` against servers this file starts on loopback: an https server (self-signed,
 * test/support/tls.ts) whose first path segment picks a header set, a plain-http listener for
 * the redirect check, a legacy https server that still allows TLS 1.0/1.1, and a real holdfast
 * Express app. Table-driven: each scenario lists the findings it must produce. Then the CLI as a
 * subprocess: exit codes, text and JSON output.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import express from 'express';
import { session, type RequestWithSession } from '../../src/adapters/express/index.ts';
import { doctor, type DoctorOptions } from '../../src/cli/doctor.ts';
import type { Finding, FindingStatus } from '../../src/cli/doctor-findings.ts';
import { MemoryStore } from '../../src/stores/memory/index.ts';
import { testCertificate } from '../support/tls.ts';

const run = promisify(execFile);
const cli = new URL('../../src/cli/index.ts', import.meta.url).pathname;
const GOOD_COOKIE = '__Host-sid=abc.def; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Lax';
const HSTS = 'max-age=63072000; includeSubDomains';

interface Profile {
  main: OutgoingHttpHeaders;
  login: OutgoingHttpHeaders;
  /** What the plain-http listener does for this profile. */
  http: 'redirect' | 'serve';
}

const PROFILES: Record<string, Profile> = {
  good: { main: { 'strict-transport-security': HSTS }, login: { 'set-cookie': [GOOD_COOKIE, 'theme=dark; Path=/'], 'cache-control': 'no-store' }, http: 'redirect' },
  proxy: { main: { 'strict-transport-security': HSTS }, login: { 'set-cookie': ['sid=abc.def; Path=/; HttpOnly; SameSite=Lax'], 'cache-control': 'no-store' }, http: 'redirect' },
  nocookie: { main: { 'strict-transport-security': HSTS }, login: { 'set-cookie': ['theme=dark; Path=/'] }, http: 'redirect' },
  bad: { main: {}, login: { 'set-cookie': ['sid=abc; Domain=127.0.0.1; Path=/app; SameSite=None; Max-Age=99999999'], 'cache-control': 'public, max-age=600' }, http: 'serve' },
  weakhsts: { main: { 'strict-transport-security': 'max-age=86400' }, login: { 'set-cookie': [GOOD_COOKIE], 'cache-control': 'private, no-store' }, http: 'redirect' },
  offhsts: { main: { 'strict-transport-security': 'max-age=0' }, login: { 'set-cookie': [GOOD_COOKIE], 'cache-control': 'no-store' }, http: 'redirect' },
};

function profileOf(req: IncomingMessage): [Profile | undefined, boolean] {
  const [, name = '', rest = ''] = (req.url ?? '/').split('/');
  return [PROFILES[name], rest === 'login'];
}

function serveProfile(req: IncomingMessage, res: ServerResponse): void {
  const [profile, login] = profileOf(req);
  if (profile === undefined) {
    res.statusCode = 404;
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(login ? { ...profile.main, ...profile.login } : profile.main)) res.setHeader(name, value as string | string[]);
  res.end('ok');
}

function serveHttp(req: IncomingMessage, res: ServerResponse): void {
  const [profile] = profileOf(req);
  if (profile?.http === 'redirect') {
    res.writeHead(308, { location: `https://127.0.0.1${req.url ?? '/'}` });
    res.end();
  } else {
    res.setHeader('set-cookie', 'sid=plain; Path=/');
    res.end('plain');
  }
}

const servers: Server[] = [];
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

let httpsPort = 0;
let httpPort = 0;
let legacyPort = 0;
let appPort = 0;

before(async () => {
  const cert = testCertificate();
  httpsPort = await listen(createHttpsServer(cert, serveProfile));
  httpPort = await listen(createHttpServer(serveHttp));
  legacyPort = await listen(createHttpsServer({ ...cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, serveProfile));
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('strict-transport-security', HSTS);
    next();
  });
  app.use(session({ secrets: 'doctor-test-secret-long-enough-0123456789', store: new MemoryStore({ sweepInterval: 0 }), production: false }));
  app.get('/', (_req, res) => void res.end('home'));
  app.get('/login', async (req, res) => {
    await (req as unknown as RequestWithSession).session.login('alice');
    res.end('in');
  });
  appPort = await listen(createHttpsServer(cert, app));
});

after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

const statusOf = (findings: Finding[], id: string): FindingStatus | undefined => findings.find((f) => f.id === id)?.status;

function base(): DoctorOptions {
  return { insecure: true, httpPort, timeout: 3_000 };
}

interface Scenario {
  name: string;
  url: () => string;
  options?: () => DoctorOptions;
  expect: Record<string, FindingStatus>;
  /** Finding id -> text its fix must contain. */
  fixes?: Record<string, RegExp>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'a good deployment passes every check',
    url: () => `https://127.0.0.1:${httpsPort}/good/`,
    options: () => ({ ...base(), cookiePath: '/good/login' }),
    expect: {
      https: 'pass', 'cookie.secure': 'pass', 'cookie.httponly': 'pass', 'cookie.samesite': 'pass', 'cookie.prefix': 'pass', 'cookie.domain': 'pass',
      'cookie.path': 'pass', 'cookie.max-age': 'pass', 'cache-control': 'pass', 'hsts.max-age': 'pass', 'hsts.subdomains': 'pass',
      'tls.negotiated': 'pass', 'tls.tls1.0': 'pass', 'tls.tls1.1': 'pass', redirect: 'pass',
    },
  },
  {
    name: 'https but the cookie arrives without Secure: explains trustProxy',
    url: () => `https://127.0.0.1:${httpsPort}/proxy/`,
    options: () => ({ ...base(), cookiePath: '/proxy/login', tlsVersions: false }),
    expect: { 'cookie.secure': 'fail', 'cookie.prefix': 'warn', 'cookie.httponly': 'pass' },
    fixes: { 'cookie.secure': /trustProxy/ },
  },
  {
    name: 'no session cookie where one is expected: explains trustProxy',
    url: () => `https://127.0.0.1:${httpsPort}/nocookie/`,
    options: () => ({ ...base(), cookiePath: '/nocookie/login', tlsVersions: false }),
    expect: { cookie: 'fail' },
    fixes: { cookie: /trustProxy/ },
  },
  {
    name: 'no --cookie-path and no cookie on the page: cookie checks skipped, not passed',
    url: () => `https://127.0.0.1:${httpsPort}/good/`,
    options: () => ({ ...base(), tlsVersions: false }),
    expect: { cookie: 'skip', hsts: undefined as unknown as FindingStatus },
    fixes: { cookie: /--cookie-path/ },
  },
  {
    name: 'every cookie attribute wrong, cacheable, no HSTS, http serves pages',
    url: () => `https://127.0.0.1:${httpsPort}/bad/`,
    options: () => ({ ...base(), cookiePath: '/bad/login', tlsVersions: false }),
    expect: {
      'cookie.secure': 'fail', 'cookie.httponly': 'fail', 'cookie.samesite': 'fail', 'cookie.prefix': 'warn', 'cookie.domain': 'warn',
      'cookie.path': 'warn', 'cookie.max-age': 'warn', 'cache-control': 'fail', hsts: 'fail', redirect: 'fail',
    },
    fixes: { 'cache-control': /no-store/, hsts: /max-age=31536000/, redirect: /308/ },
  },
  {
    name: 'short HSTS without includeSubDomains',
    url: () => `https://127.0.0.1:${httpsPort}/weakhsts/`,
    options: () => ({ ...base(), cookiePath: '/weakhsts/login', tlsVersions: false }),
    expect: { 'hsts.max-age': 'warn', 'hsts.subdomains': 'warn', 'cache-control': 'pass' },
  },
  {
    name: 'HSTS max-age=0',
    url: () => `https://127.0.0.1:${httpsPort}/offhsts/`,
    options: () => ({ ...base(), tlsVersions: false }),
    expect: { 'hsts.max-age': 'fail' },
  },
  {
    name: 'plain http URL',
    url: () => `http://127.0.0.1:${httpPort}/bad/`,
    options: () => ({ ...base(), cookiePath: '/bad/' }),
    expect: { https: 'fail', 'cookie.secure': 'fail', hsts: 'skip' },
  },
  {
    name: 'a self-signed certificate without --insecure',
    url: () => `https://127.0.0.1:${httpsPort}/good/`,
    options: () => ({ httpPort, timeout: 3_000 }),
    expect: { fetch: 'fail' },
    fixes: { fetch: /--insecure/ },
  },
  {
    name: 'nothing listens for plain http: a warning, not a pass',
    url: () => `https://127.0.0.1:${httpsPort}/good/`,
    options: () => ({ ...base(), httpPort: 1, tlsVersions: false }),
    expect: { redirect: 'warn' },
  },
  {
    name: "holdfast's own defaults over https pass the cookie checks",
    url: () => `https://127.0.0.1:${appPort}/`,
    options: () => ({ ...base(), cookiePath: '/login', tlsVersions: false, redirect: false }),
    expect: {
      'cookie.secure': 'pass', 'cookie.httponly': 'pass', 'cookie.samesite': 'pass', 'cookie.prefix': 'pass', 'cookie.domain': 'pass',
      'cookie.path': 'pass', 'cookie.max-age': 'pass', 'cache-control': 'pass', 'hsts.max-age': 'pass',
    },
  },
];

describe('holdfast doctor findings', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const findings = await doctor(new URL(scenario.url()), scenario.options?.() ?? base());
      for (const [id, status] of Object.entries(scenario.expect)) {
        assert.equal(statusOf(findings, id), status, `${id} in ${JSON.stringify(findings, null, 1)}`);
      }
      for (const [id, pattern] of Object.entries(scenario.fixes ?? {})) {
        assert.match(findings.find((f) => f.id === id)?.fix ?? '', pattern, id);
      }
      for (const f of findings) if (f.status === 'fail' || f.status === 'warn') assert.ok(f.fix !== undefined && f.fix.length > 10, `${f.id} says what to change`);
    });
  }

  it('a server that still accepts TLS 1.0/1.1 fails, or is reported as not testable, never passed', async () => {
    const findings = await doctor(new URL(`https://127.0.0.1:${legacyPort}/good/`), { ...base(), redirect: false });
    for (const id of ['tls.tls1.0', 'tls.tls1.1']) {
      const f = findings.find((x) => x.id === id);
      assert.ok(f !== undefined, id);
      assert.ok(f.status === 'fail' || (f.status === 'skip' && /could not test/.test(f.message)), `${id}: ${JSON.stringify(f)}`);
      if (f.status === 'fail') assert.match(f.fix ?? '', /ssl_protocols/);
    }
  });
});

describe('holdfast doctor as a command', () => {
  it('exit 0 and JSON findings for a good deployment', async () => {
    const { stdout } = await run(process.execPath, [cli, 'doctor', `https://127.0.0.1:${httpsPort}/good/`, '--insecure', '--cookie-path', '/good/login', `--http-port=${httpPort}`, '--json']);
    const report = JSON.parse(stdout) as { url: string; findings: Finding[] };
    assert.equal(report.url, `https://127.0.0.1:${httpsPort}/good/`);
    assert.ok(report.findings.length >= 10);
    assert.ok(report.findings.every((f) => f.status === 'pass'), stdout);
  });

  it('exit 1 and a readable report with fixes for a bad one', async () => {
    const failed = await run(process.execPath, [cli, 'doctor', `https://127.0.0.1:${httpsPort}/bad/`, '--insecure', '--cookie-path', '/bad/login', '--http-port', String(httpPort), '--no-tls-versions']).then(
      () => assert.fail('expected exit 1'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^FAIL {2}cookie\.httponly: /m);
    assert.match(failed.stdout, /^ {6}fix: send Cache-Control: no-store/m);
    assert.match(failed.stdout, /\d+ failed, \d+ warnings, \d+ passed/);
  });

  for (const [args, pattern] of [
    [['doctor'], /exactly one URL/],
    [['doctor', 'example.com'], /not a URL/],
    [['doctor', 'ftp://example.com/'], /http\(s\) URLs only/],
    [['doctor', 'https://example.com/', '--cookie-path', 'login'], /must start with/],
    [['doctor', 'https://example.com/', '--bogus'], /unknown option --bogus/],
    [['doctor', 'https://example.com/', '--http-port'], /needs a value/],
  ] as const) {
    it(`exit 2 for ${args.join(' ')}`, async () => {
      const error = await run(process.execPath, [cli, ...args]).then(() => assert.fail('expected exit 2'), (e: { code: number; stderr: string }) => e);
      assert.equal(error.code, 2);
      assert.match(error.stderr, pattern);
    });
  }
});
