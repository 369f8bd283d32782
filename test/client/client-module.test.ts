/**
 * holdfast/client as shipped: under 3 kB gzipped (measured on the JavaScript Node's type
 * stripping and tsc each emit from the source, comments included), and importable outside a
 * browser (check-exports imports every entry in Node: no DOM access at import time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';

const LIMIT = 3 * 1024;
const source = readFileSync(new URL('../../src/client/index.ts', import.meta.url), 'utf8');

test('the stripped module is under 3 kB gzipped', () => {
  const size = gzipSync(stripTypeScriptTypes(source)).length;
  console.log(`holdfast/client, type-stripped: ${size} bytes gzipped`);
  assert.ok(size < LIMIT, `${size} bytes gzipped`);
});

test('the tsc-emitted module is under 3 kB gzipped', () => {
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext } }).outputText;
  const size = gzipSync(js).length;
  console.log(`holdfast/client, tsc output: ${size} bytes gzipped`);
  assert.ok(size < LIMIT, `${size} bytes gzipped`);
});

test('it imports in Node without touching the DOM, and imports nothing', async () => {
  assert.doesNotMatch(source, /^import\s(?!type)/m, 'no runtime imports');
  const mod = await import('../../src/client/index.ts');
  assert.equal(typeof mod.watchSession, 'function');
  assert.equal(typeof mod.passiveFetch, 'function');
  assert.equal(mod.PASSIVE_HEADER, 'Holdfast-Passive');
  assert.equal(mod.EXPIRES_HEADER, 'Holdfast-Session-Expires');
});
