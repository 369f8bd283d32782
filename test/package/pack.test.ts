/**
 * holdfast as a user gets it from npm: `npm pack` (which builds dist/ through prepack), the
 * tarball installed into a fresh app (offline, from npm's cache, through a lockfile cut from this
 * repository's), then, on Node 24 and on Node 22 (the devDependency node22):
 * - ESM import of every subpath and a real Express app on the embedded SQLite store;
 * - require() of every subpath from CommonJS, sharing module instances with import();
 * - tsc of a consumer file against the shipped declarations with moduleResolution node16,
 *   bundler, and a CommonJS file under nodenext;
 * - `npx holdfast keygen`.
 * No holdfast-source condition reaches the consumer: it sees only what the tarball holds.
 */
import assert from 'node:assert/strict';
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { consumerLock, type Lockfile } from './consumer-lock.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = new URL('./consumer/', import.meta.url).pathname;
const NODE24 = process.execPath;
const NODE22 = join(ROOT, 'node_modules', 'node22', 'bin', 'node');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** What the consumer app installs besides holdfast: the frameworks its code uses, and their types. */
const CONSUMER_DEPENDENCIES = ['express', 'fastify', 'fastify-plugin', 'hono', 'koa', '@types/express', '@types/koa', '@types/node'];

/** The environment of a user's shell: no npm-script variables, no source condition. */
function userEnv(node: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('npm_') || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = `${dirname(node)}:${env.PATH ?? ''}`;
  return env;
}

function run(command: string, args: string[], options: ExecFileSyncOptions): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options }) as string;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

/**
 * tsc with skipLibCheck off, so holdfast's declarations are checked as strictly as the consumer's
 * code. Errors inside a third-party package's own declarations (today @types/koa against its
 * content-disposition) are not holdfast's and do not fail the test; every other error does.
 */
function typeCheck(cwd: string, project: string): void {
  let output: string;
  try {
    output = execFileSync(NODE24, [TSC, '-p', project, '--pretty', 'false'], { cwd, env: userEnv(NODE24), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
  }
  const errors = output.split('\n').filter((line) => / error TS\d+:/.test(line));
  const ours = errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/holdfast/'));
  assert.deepEqual(ours, [], `tsc -p ${project}:\n${output}`);
  if (errors.length === 0) assert.doesNotMatch(output, /error/i, output);
}

interface Packed {
  filename: string;
  integrity: string;
  files: { path: string }[];
}

describe('the published package (npm pack → install → use)', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'holdfast-pack-'));
  const app = join(work, 'app');
  let packed: Packed;

  before(() => {
    const out = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: userEnv(NODE24) });
    packed = (JSON.parse(out.slice(out.indexOf('['))) as Packed[])[0] as Packed;
    const tarball = join(work, packed.filename);

    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
    const dependencies: Record<string, string> = { holdfast: `file:../${packed.filename}` };
    for (const name of CONSUMER_DEPENDENCIES) dependencies[name] = lock.packages[`node_modules/${name}`]?.version as string;
    const holdfast = {
      version: pkg.version as unknown as string,
      resolved: `file:../${packed.filename}`,
      integrity: packed.integrity,
      license: 'MIT',
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta as unknown as Record<string, { optional?: boolean }>,
      bin: pkg.bin,
      engines: pkg.engines,
    };
    const consumerLockfile = consumerLock(lock, ['holdfast', ...CONSUMER_DEPENDENCIES], { 'node_modules/holdfast': holdfast }, dependencies);

    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'holdfast-consumer', version: '0.0.0', private: true, dependencies }, null, 2));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLockfile, null, 2));
    for (const file of ['esm.mjs', 'cjs.cjs', 'types.mts']) copyFileSync(join(FIXTURES, file), join(app, file));
    copyFileSync(join(FIXTURES, 'types.mts'), join(app, 'types-bundler.ts'));
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, env: userEnv(NODE24) });
    assert.ok(existsSync(tarball));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('npm scripts run on the pinned Node 24 (node and node22 both ship a "node" bin; node must win)', () => {
    assert.match(process.version, /^v24\./, `npm test ran on ${process.version}: node_modules/.bin/node should link to ../node/bin/node; run npm ci again`);
  });

  it('ships the build, the docs and the licence, and nothing of the sources, tests or benches', () => {
    const files = packed.files.map((f) => f.path);
    for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/cli/index.js', 'dist/conformance/index.js']) {
      assert.ok(files.includes(required), `tarball lacks ${required}`);
    }
    const stray = files.filter((f) => /^(src|test|bench|scripts|examples)\//.test(f) || /\.test\.|\.ts$/.test(f.replace(/\.d\.ts$/, '')));
    assert.deepEqual(stray, []);
  });

  for (const [label, node] of [['Node 24', NODE24], ['Node 22', NODE22]] as const) {
    it(`${label}: ESM import of every subpath, and an Express app keeps a session`, () => {
      const out = JSON.parse(run(node, ['esm.mjs'], { cwd: app, env: userEnv(node) })) as { node: string; subpaths: number };
      assert.match(out.node, label === 'Node 24' ? /^v24\./ : /^v22\./);
      assert.ok(out.subpaths >= 14);
    });

    it(`${label}: require() of every subpath from CommonJS, same instances as import()`, () => {
      const result = execFileSync(node, ['cjs.cjs'], { cwd: app, env: userEnv(node), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.ok(JSON.parse(result).subpaths >= 14);
    });

    it(`${label}: npx holdfast keygen prints a 256-bit secret`, () => {
      const secret = run('npx', ['--offline', '--no-install', 'holdfast', 'keygen'], { cwd: app, env: userEnv(node) }).trim();
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    });
  }

  it('importing holdfast prints nothing (no ExperimentalWarning from a store the app does not use)', () => {
    const out = execFileSync(NODE22, ['--input-type=module', '-e', "await import('holdfast'); await import('holdfast/express'); await import('holdfast/stores/redis');"], {
      cwd: app,
      env: userEnv(NODE22),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(out, '');
  });

  const tsconfigs: [string, Record<string, unknown>, string][] = [
    ['ESM, moduleResolution node16', { module: 'node16', moduleResolution: 'node16' }, 'types.mts'],
    ['bundler resolution', { module: 'esnext', moduleResolution: 'bundler' }, 'types-bundler.ts'],
  ];
  for (const [label, options, file] of tsconfigs) {
    it(`tsc type-checks a consumer against the shipped declarations (${label}), negative cases included`, () => {
      const config = { compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2023', 'dom'] }, files: [file] };
      const name = `tsconfig.${file}.json`;
      writeFileSync(join(app, name), JSON.stringify(config));
      typeCheck(app, name);
    });
  }

  it('tsc resolves holdfast from a CommonJS file (nodenext, require of ESM)', () => {
    writeFileSync(join(app, 'types.cts'), "import { session } from 'holdfast/express';\nimport { MemoryStore } from 'holdfast/stores/memory';\nexport const mw = session({ secrets: 's', store: new MemoryStore() });\n");
    writeFileSync(join(app, 'tsconfig.cts.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: ['node'] }, files: ['types.cts'] }));
    typeCheck(app, 'tsconfig.cts.json');
  });

  it('a type error in consumer code fails the check (the type checks above can fail)', () => {
    writeFileSync(join(app, 'broken.mts'), "import { session } from 'holdfast/express';\nsession({ secrets: 1 });\n");
    writeFileSync(join(app, 'tsconfig.broken.json'), JSON.stringify({ compilerOptions: { module: 'node16', strict: true, noEmit: true, types: ['node'] }, files: ['broken.mts'] }));
    assert.throws(() => typeCheck(app, 'tsconfig.broken.json'), /broken\.mts\(2,\d+\): error TS2322/);
  });
});
