/**
 * Migration: an app on express-session + connect-redis signs a user in; the process restarts on
 * holdfast/express-session (only the import changes: same secret, same RedisStore, same prefix);
 * the browser's cookie, untouched, still shows the user signed in, and sessions keep working.
 * Then it restarts on express-session again: the way back is open too.
 *
 * Real processes (test/migration/app.ts), real Redis at 127.0.0.1:6379 with a unique key prefix
 * removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { SOURCE_CONDITION } from '../support/app-process.ts';
import { requireService } from '../support/services.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const up = await requireService('Redis 127.0.0.1:6379', async () => {
  const c = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  c.on('error', () => undefined);
  await c.connect();
  await c.ping();
  await c.close();
});

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));
const NODE = process.execPath;
const PREFIX = `hf-migration-${randomBytes(4).toString('hex')}:`;
const SECRET = randomBytes(32).toString('base64url');
const children = new Set<ChildProcess>();

interface Running {
  port: number;
  stop(): Promise<void>;
}

async function startApp(impl: 'express-session' | 'holdfast'): Promise<Running> {
  const child = spawn(NODE, [SOURCE_CONDITION, APP], {
    env: { ...process.env, IMPL: impl, PREFIX, SESSION_SECRET: SECRET, REDIS_URL, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${impl} app did not start: ${stderr}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${impl} app exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          children.delete(child);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A browser: one cookie jar. */
class Browser {
  cookie: string | undefined;
  async call(app: Running, method: string, path: string): Promise<{ status: number; body: Record<string, unknown>; setCookie: string[] }> {
    const res = await fetch(`http://127.0.0.1:${app.port}${path}`, { method, headers: this.cookie ? { cookie: this.cookie } : {} });
    const setCookie = res.headers.getSetCookie();
    const line = setCookie.find((c) => c.startsWith('connect.sid='));
    if (line) this.cookie = /Expires=Thu, 01 Jan 1970/.test(line) ? undefined : (line.split(';')[0] as string);
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, setCookie };
  }
}

describe('migrating an express-session + connect-redis app to holdfast/express-session', { skip: !up && 'Redis is not running' }, () => {
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    const c = createClient({ url: REDIS_URL });
    c.on('error', () => undefined);
    await c.connect();
    for await (const keys of c.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) if (keys.length > 0) await c.del(keys);
    await c.close();
  });

  it('the user signed in before the restart is still signed in after it, and back again', async () => {
    const browser = new Browser();
    const other = new Browser();

    // 1. The app as it runs today.
    const before = await startApp('express-session');
    const login = await browser.call(before, 'POST', '/login?user=ada');
    assert.deepEqual(login.body, { user: 'ada', impl: 'express-session' });
    assert.ok(browser.cookie?.startsWith('connect.sid=s%3A'));
    await other.call(before, 'POST', '/login?user=bob');
    await browser.call(before, 'POST', '/visit');
    const cookieBefore = browser.cookie;
    await before.stop();

    // 2. Restarted with the import changed.
    const dropIn = await startApp('holdfast');
    const me = await browser.call(dropIn, 'GET', '/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { user: 'ada', visits: 1, impl: 'holdfast' });
    assert.deepEqual(me.setCookie, [], 'a read sends no cookie');
    assert.equal(browser.cookie, cookieBefore, 'the browser kept the very same cookie');
    assert.deepEqual((await other.call(dropIn, 'GET', '/me')).body, { user: 'bob', visits: 0, impl: 'holdfast' });
    assert.deepEqual((await browser.call(dropIn, 'POST', '/visit')).body, { visits: 2, impl: 'holdfast' });
    // a new sign-in on the drop-in
    const carol = new Browser();
    await carol.call(dropIn, 'POST', '/login?user=carol');
    await dropIn.stop();

    // 3. And back: express-session reads what the drop-in wrote.
    const back = await startApp('express-session');
    assert.deepEqual((await browser.call(back, 'GET', '/me')).body, { user: 'ada', visits: 2, impl: 'express-session' });
    assert.deepEqual((await carol.call(back, 'GET', '/me')).body, { user: 'carol', visits: 0, impl: 'express-session' });
    await back.stop();

    // 4. Logging out on the drop-in deletes the record and the cookie.
    const again = await startApp('holdfast');
    const out = await browser.call(again, 'POST', '/logout');
    assert.match(out.setCookie[0] ?? '', /^connect\.sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    assert.equal(browser.cookie, undefined);
    assert.deepEqual((await browser.call(again, 'GET', '/me')).body, { user: null, visits: 0, impl: 'holdfast' });
    await again.stop();
  });
});
