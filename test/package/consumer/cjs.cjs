// A consumer's CommonJS code: require() of every subpath (Node's require(esm)), and the same
// module instances as import() (no dual-package hazard: one ConfigError class, not two).
const assert = require('node:assert/strict');
const pkg = require('holdfast/package.json');

const subpaths = Object.keys(pkg.exports)
  .filter((entry) => entry !== './package.json')
  .map((entry) => (entry === '.' ? 'holdfast' : `holdfast/${entry.slice(2)}`));
for (const subpath of subpaths) {
  const mod = require(subpath);
  assert.ok(Object.keys(mod).length > 0, `${subpath} exports nothing`);
}
const { createSessions, ConfigError } = require('holdfast');
assert.equal(typeof require('holdfast/express').session, 'function');
assert.equal(typeof require('holdfast/fastify').default, 'function');
assert.throws(() => createSessions({ secrets: '' }), (error) => error instanceof ConfigError && error.code === 'ERR_HOLDFAST_CONFIG');
import('holdfast').then((esm) => {
  assert.equal(esm.ConfigError, ConfigError);
  console.log(JSON.stringify({ node: process.version, subpaths: subpaths.length }));
});
