/**
 * `npm run build` (also run by `npm pack` / `npm publish` through prepack): compiles src/ to dist/
 * as ESM JavaScript, declarations and source maps (tsconfig.build.json), from a clean dist/.
 *
 * tsc rewrites `.ts` import specifiers to `.js` in JavaScript but leaves them in declarations;
 * the declarations are rewritten here so every TypeScript version and module resolution a
 * consumer may use (node16, nodenext, bundler) reads them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build: tsc failed');
  process.exit(result.status ?? 1);
}

/** `from './x.ts'`, `import('../y.ts')`: relative specifiers only; packages are left alone. */
const TS_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

let declarations = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(TS_SPECIFIER, '$1$2$3.js$2');
  if (rewritten !== text) writeFileSync(file, rewritten);
  declarations += 1;
}
chmodSync(join(dist, 'cli', 'index.js'), 0o755);
console.log(`build: dist/ written (${declarations} declaration files)`);
