/**
 * Checks the package's exports map (run by `npm run lint`):
 * - every target file exists and imports cleanly;
 * - every entry exposes the names design.md promises;
 * - every adapter / store folder with an index.ts is exported (nothing built but unreachable).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string> };

/** The public names each entry must export (design.md, "Public entry points"). */
const PROMISED: Record<string, string[]> = {
  '.': ['createSessions', 'ConfigError', 'StoreError', 'HoldfastError'],
  './express': ['session'],
  './express-session': ['default', 'Session', 'Store', 'MemoryStore', 'Cookie'],
  './fastify': ['default'],
  './koa': ['session'],
  './hono': ['session'],
  './web': [],
  './stores/memory': ['MemoryStore'],
  './stores/sqlite': ['SqliteStore'],
  './stores/redis': ['RedisStore'],
  './stores/postgres': ['PostgresStore'],
  './stores/mysql': ['MysqlStore'],
  './stores/express-session': [],
  './logging': ['REDACT_PATHS', 'pinoOptions', 'sessionProps', 'sessionSerializer', 'registerMorganTokens', 'auditRecordOf'],
};

const problems: string[] = [];
for (const [entry, target] of Object.entries(pkg.exports)) {
  if (entry === './package.json') continue;
  const file = join(root, target);
  if (!existsSync(file)) {
    problems.push(`${entry}: target ${target} does not exist`);
    continue;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    problems.push(`${entry}: importing ${target} failed: ${(error as Error).message}`);
    continue;
  }
  for (const name of PROMISED[entry] ?? []) {
    if (mod[name] === undefined) problems.push(`${entry}: does not export "${name}"`);
  }
}

const exportedTargets = new Set(Object.values(pkg.exports));
for (const [dir, prefix] of [['src/adapters', './'], ['src/stores', './stores/']] as const) {
  for (const name of readdirSync(join(root, dir))) {
    const index = `./${dir}/${name}/index.ts`;
    if (name === 'node' || !existsSync(join(root, index))) continue; // shared internals, not an entry
    if (!exportedTargets.has(index)) problems.push(`${index} exists but no exports entry points at it (expected "${prefix}${name}")`);
  }
}

if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-exports: ${Object.keys(pkg.exports).length} entries ok`);
