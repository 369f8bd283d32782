// A consumer's ESM code, run from the installed tarball: every subpath imports, and a real
// Express app keeps a session across two requests on the embedded SQLite store.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express from 'express';
import { session } from 'holdfast/express';
import { SqliteStore } from 'holdfast/stores/sqlite';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(require.resolve('holdfast/package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((entry) => entry !== './package.json')
  .map((entry) => (entry === '.' ? 'holdfast' : `holdfast/${entry.slice(2)}`));
const imported = {};
for (const subpath of subpaths) {
  const mod = await import(subpath);
  assert.ok(Object.keys(mod).length > 0, `${subpath} exports nothing`);
  imported[subpath] = Object.keys(mod).sort();
}

const mw = session({ secrets: 'consumer-test-secret-0123456789abcdefghijkl', store: new SqliteStore({ path: ':memory:' }), production: false });
assert.deepEqual(Object.keys(mw.sessions).sort(), ['close', 'listSessions', 'on', 'revokeAllSessions', 'revokeSession']);
const app = express();
app.use(mw);
app.get('/', (req, res) => {
  req.session.visits = (req.session.visits ?? 0) + 1;
  res.json({ visits: req.session.visits });
});
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const first = await fetch(url);
const cookie = first.headers.get('set-cookie')?.split(';')[0];
assert.ok(cookie?.startsWith('sid='), `no session cookie: ${cookie}`);
const second = await fetch(url, { headers: { cookie } });
assert.deepEqual(await second.json(), { visits: 2 });
server.close();
await mw.sessions.close();
console.log(JSON.stringify({ node: process.version, subpaths: subpaths.length, imported }));
