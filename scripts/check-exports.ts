/**
 * Checks the package's exports map (run by `npm run lint`, under the holdfast-source condition):
 * - every entry has the same three conditions in the same order: `holdfast-source` (the .ts
 *   source, for this repository's own tests and tools), `types` and `default` (the built
 *   declaration and module under dist/, at the path the source compiles to);
 * - every source target exists and imports cleanly, and exposes the names design.md promises;
 * - every adapter / store folder with an index.ts is exported (nothing built but unreachable);
 * - `bin` and `files` point into what the build makes.
 * That the built package really installs and loads is the pack test's job (test/package/).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Conditions = Record<string, string>;
interface PackageJson {
  exports: Record<string, Conditions | string>;
  bin: Record<string, string>;
  files: string[];
}

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

/** The public names each entry must export (design.md, "Public entry points"). */
const PROMISED: Record<string, string[]> = {
  '.': ['createSessions', 'ConfigError', 'StoreError', 'HoldfastError', 'sessionStatus', 'extendSession'],
  './express': ['session', 'csrf'],
  './express-session': ['default', 'Session', 'Store', 'MemoryStore', 'Cookie'],
  './fastify': ['default', 'csrf'],
  './koa': ['session', 'csrf'],
  './hono': ['session', 'csrf'],
  './web': ['createWebSessions', 'createCsrf'],
  './stores/memory': ['MemoryStore'],
  './stores/sqlite': ['SqliteStore'],
  './stores/redis': ['RedisStore'],
  './stores/postgres': ['PostgresStore'],
  './stores/mysql': ['MysqlStore'],
  './stores/express-session': ['fromExpressSessionStore'],
  './conformance': ['runStoreConformance'],
  './tokens': ['createTokens', 'MemoryTokenStore', 'TokenClaimsError', 'NoSigningKeyError'],
  './csrf': ['CsrfGuard', 'decideCsrf', 'CsrfError'],
  './client': ['watchSession', 'passiveFetch'],
  './logging': ['REDACT_PATHS', 'pinoOptions', 'sessionProps', 'sessionSerializer', 'registerMorganTokens', 'auditRecordOf'],
};

/** What the build makes of a source path: src/a/b.ts → dist/a/b.d.ts and dist/a/b.js. */
function builtPaths(source: string): { types: string; default: string } | undefined {
  const match = /^\.\/src\/(.+)\.ts$/.exec(source);
  if (match === null) return undefined;
  return { types: `./dist/${match[1]}.d.ts`, default: `./dist/${match[1]}.js` };
}

const CONDITION_ORDER = ['holdfast-source', 'types', 'default'];
const problems: string[] = [];

for (const [entry, target] of Object.entries(pkg.exports)) {
  if (entry === './package.json') continue;
  if (typeof target !== 'object' || target === null) {
    problems.push(`${entry}: expected { "holdfast-source", "types", "default" }, got ${JSON.stringify(target)}`);
    continue;
  }
  const order = Object.keys(target).join(',');
  if (order !== CONDITION_ORDER.join(',')) problems.push(`${entry}: conditions must be exactly ${CONDITION_ORDER.join(', ')} in that order (got ${order})`);
  const source = target['holdfast-source'] ?? '';
  const built = builtPaths(source);
  if (built === undefined) {
    problems.push(`${entry}: holdfast-source must be a ./src/**.ts file (got ${source})`);
    continue;
  }
  if (target.types !== built.types) problems.push(`${entry}: types must be ${built.types} (got ${target.types})`);
  if (target.default !== built.default) problems.push(`${entry}: default must be ${built.default} (got ${target.default})`);
  const file = join(root, source);
  if (!existsSync(file)) {
    problems.push(`${entry}: ${source} does not exist`);
    continue;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    problems.push(`${entry}: importing ${source} failed: ${(error as Error).message}`);
    continue;
  }
  for (const name of PROMISED[entry] ?? []) {
    if (mod[name] === undefined) problems.push(`${entry}: does not export "${name}"`);
  }
}
for (const entry of Object.keys(PROMISED)) {
  if (!(entry in pkg.exports)) problems.push(`${entry}: promised but missing from package.json exports`);
}

const exportedSources = new Set(Object.values(pkg.exports).map((t) => (typeof t === 'object' ? t['holdfast-source'] : t)));
for (const [dir, prefix] of [['src/adapters', './'], ['src/stores', './stores/']] as const) {
  for (const name of readdirSync(join(root, dir))) {
    const index = `./${dir}/${name}/index.ts`;
    if (name === 'node' || !existsSync(join(root, index))) continue; // shared internals, not an entry
    if (!exportedSources.has(index)) problems.push(`${index} exists but no exports entry points at it (expected "${prefix}${name}")`);
  }
}

for (const [name, path] of Object.entries(pkg.bin)) {
  if (!path.startsWith('./dist/') || !existsSync(join(root, path.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')))) {
    problems.push(`bin ${name}: ${path} is not the build of a source file under src/`);
  }
}
for (const required of ['dist', 'README.md', 'LICENSE']) {
  if (!pkg.files.includes(required)) problems.push(`files: must include ${required}`);
}

if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-exports: ${Object.keys(pkg.exports).length} entries ok`);
