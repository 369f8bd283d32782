/**
 * `npm start` works for a newcomer: the example app boots on a fresh data folder, signs a user in,
 * lists and revokes sessions, and keeps sessions across a restart (SQLite on disk).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SOURCE_CONDITION } from '../support/app-process.ts';
import { cookiePair, send } from '../support/http-client.ts';

const root = new URL('../..', import.meta.url).pathname;
const node = process.execPath;

function start(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(node, [SOURCE_CONDITION, 'examples/basic/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`example did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('examples/basic (npm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-example-'));
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  let app: ChildProcess;

  before(async () => {
    app = await start(dataDir, port);
  });
  after(async () => {
    await stop(app);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in, lists sessions, signs out others, and survives a restart', async () => {
    const home = await send({ port, path: '/' });
    assert.equal(home.status, 200);
    assert.match(home.body, /Sign in/);
    const anon = cookiePair(home, 'sid');
    assert.ok(anon, 'a visit counter puts data in the session, so it gets a cookie');

    const form = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };
    const login = await send({ port, path: '/login', method: 'POST', headers: { ...form, cookie: anon }, body: 'name=ada' });
    assert.equal(login.status, 303);
    const cookie = cookiePair(login, 'sid');
    assert.ok(cookie && cookie !== anon, 'login issues a new ID');

    // A second device for the same user.
    const other = await send({ port, path: '/login', method: 'POST', headers: form, body: 'name=ada' });
    const otherCookie = cookiePair(other, 'sid') as string;

    const list = await send({ port, path: '/sessions', headers: { cookie } });
    assert.equal(list.status, 200);
    assert.equal((list.body.match(/<tr><td><code>/g) ?? []).length, 2);

    const revoke = await send({ port, path: '/sessions/revoke-others', method: 'POST', headers: { ...form, cookie } });
    assert.equal(revoke.status, 303);
    const otherHome = await send({ port, path: '/', headers: { cookie: otherCookie } });
    assert.match(otherHome.body, /Sign in/, 'the other device is signed out');

    const crossSite = await send({ port, path: '/logout', method: 'POST', headers: { ...form, 'sec-fetch-site': 'cross-site', cookie } });
    assert.equal(crossSite.status, 403);

    // Without Fetch Metadata or Origin (an old browser), a form needs the page's _csrf token.
    const bare = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await send({ port, path: '/logout', method: 'POST', headers: { ...bare, cookie } })).status, 403);
    const page = await send({ port, path: '/', headers: { cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(token, 'every form carries a _csrf field');

    // The idle-timeout warning: the page loads holdfast/client, the status read is passive.
    assert.match(page.body, /import \{ watchSession \} from '\/assets\/holdfast-client\.js'/);
    const script = await send({ port, path: '/assets/holdfast-client.js' });
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type'] as string, /javascript/);
    assert.match(script.body, /export function watchSession/);
    const status = await send({ port, path: '/session/status', headers: { cookie } });
    assert.equal(status.headers['set-cookie'], undefined, 'a status read never extends the session');
    const body = JSON.parse(status.body) as { authenticated: boolean; remainingMs: number };
    assert.equal(body.authenticated, true);
    assert.ok(body.remainingMs > 29 * 60_000 && body.remainingMs <= 30 * 60_000);
    assert.match(page.headers['holdfast-session-expires'] as string, /^\d+$/);
    const extend = await send({ port, path: '/session/extend', method: 'POST', headers: { cookie } });
    assert.equal(extend.status, 403, 'extending is a state change: CSRF-checked like a form');
    const extended = await send({ port, path: '/session/extend', method: 'POST', headers: { cookie, 'x-csrf-token': token } });
    assert.equal(extended.status, 200);

    await stop(app);
    app = await start(dataDir, port);
    const again = await send({ port, path: '/', headers: { cookie } });
    assert.match(again.body, /Signed in as <strong id="user">ada<\/strong>/, 'sessions survive a restart');
  });
});
