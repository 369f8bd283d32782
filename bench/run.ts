/**
 * `npm run bench`: every session variant side by side on this machine. Each variant's server runs
 * in a child pinned to core 0; autocannon drives it from this process, pinned to core 1. Per
 * variant and scenario: a warm-up, then `--runs` measured runs; medians are reported, with the
 * ratios to the peer library and to the bare framework, and the targets the issues set.
 * Never part of `npm test`. `npm run bench -- --help` for the flags.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.ts';
import { loadVariants, plan, type Job, type Skip } from './lib/discover.ts';
import { drive, driveAmount, median, type LoadOptions, type RunResult } from './lib/load.ts';
import { setUpPinning, type Pinning } from './lib/pinning.ts';
import { prepare } from './lib/prepare.ts';
import { commandStats, countWrites, delta, monitorProfile, type CommandCounts } from './lib/redis.ts';
import { formatRedis, formatTables, formatTargets } from './lib/report.ts';
import { evaluateTargets, perRequest, Results, type Measurement } from './lib/results.ts';
import { startServer, type ServerProcess } from './lib/server-process.ts';
import { setUpServices, type Services } from './lib/services.ts';
import { SCENARIO_LABEL, type Scenario, type Service } from './lib/types.ts';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const PROFILE_REQUESTS = 500;
const SECONDS_OVERHEAD_PER_SERVER = 1;

let current: ServerProcess | undefined;
let services: Services | undefined;

async function measure(job: Job, scenario: Scenario, args: BenchArgs, pinning: Pinning, secret: string): Promise<Measurement> {
  const { variant, file } = job.entry;
  const load: LoadOptions = { connections: args.connections, pipelining: args.pipelining };
  const server = await startServer(file, scenario, pinning, { ...services?.env(), BENCH_SECRET: secret });
  current = server;
  try {
    const prepared = await prepare(server.port, scenario, variant.role === 'bare');
    await drive(prepared.url, prepared.headers, args.warmup, load);
    const redis = variant.services?.includes('redis') ? services?.redis : undefined;
    const runs: RunResult[] = [];
    let calls: CommandCounts = {};
    for (let i = 0; i < args.runs; i++) {
      const before = redis ? await commandStats(redis.stats) : undefined;
      runs.push(await drive(prepared.url, prepared.headers, args.duration, load));
      if (redis && before) {
        for (const [name, n] of Object.entries(delta(before, await commandStats(redis.stats)))) calls[name] = (calls[name] ?? 0) + n;
      }
    }
    const measurement: Measurement = {
      variant: variant.name,
      label: variant.label,
      role: variant.role,
      scenario,
      runs,
      rps: median(runs.map((r) => r.rps)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      checks: prepared.checks,
    };
    if (redis) {
      const requests = runs.reduce((n, r) => n + r.requests, 0);
      const total = Object.values(calls).reduce((n, c) => n + c, 0);
      const writes = await countWrites(redis.stats, calls);
      const profile = await monitorProfile(redis.url, () => driveAmount(prepared.url, prepared.headers, PROFILE_REQUESTS, load));
      measurement.redis = { callsPerRequest: total / requests, writesPerRequest: writes / requests, calls: perRequest(calls, requests), profile };
      calls = {};
    }
    return measurement;
  } catch (error) {
    const tail = server.stderr().trim().split('\n').slice(-10).join('\n');
    throw new Error(`${(error as Error).message}${tail ? `\n  server stderr:\n${tail}` : ''}`, { cause: error });
  } finally {
    current = undefined;
    await server.stop();
  }
}

function printHeader(args: BenchArgs, pinning: Pinning, jobs: readonly Job[]): void {
  const servers = jobs.reduce((n, j) => n + j.scenarios.length, 0);
  const seconds = servers * (args.warmup + args.runs * args.duration + SECONDS_OVERHEAD_PER_SERVER);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`holdfast bench — Node ${process.version}, ${cpu}, ${cpus().length} cores`);
  console.log(
    pinning.enabled
      ? `pinning: server on core ${pinning.serverCore}, autocannon on core ${pinning.loadCore} (taskset)`
      : `pinning: off (${pinning.reason ?? 'unavailable'}) — server and load generator share the CPU`,
  );
  console.log(
    `autocannon: ${args.connections} connections, pipelining ${args.pipelining}; per server: ${args.warmup} s warm-up, ` +
      `${args.runs} × ${args.duration} s measured, median reported`,
  );
  console.log(`${servers} measurements over ${jobs.length} variants, about ${Math.ceil(seconds / 60)} min\n`);
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), join(ROOT, 'bench/results/latest.json'));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const { loaded, skipped } = await loadVariants(join(ROOT, 'bench/variants'), ROOT);
  if (args.list) {
    for (const { variant } of loaded) console.log(`${variant.name.padEnd(36)} ${variant.suite.padEnd(10)} ${variant.role.padEnd(8)} ${variant.scenarios.join(',')}  ${variant.label}`);
    for (const s of skipped) console.log(`${s.name.padEnd(36)} skipped: ${s.reason}`);
    return;
  }
  let jobs = plan(loaded, skipped, args);
  const notes: string[] = [];
  const skips: Skip[] = skipped.filter((s) => s.variant === undefined || args.suites.has(s.variant.suite));

  const pinning = setUpPinning();
  const needed = new Set<Service>(jobs.flatMap((j) => j.entry.variant.services ?? []));
  services = await setUpServices(needed, pinning);
  notes.push(...services.notes);
  jobs = jobs.filter((j) => {
    const down = (j.entry.variant.services ?? []).map((s) => services?.down[s]).find((d) => d !== undefined);
    if (down !== undefined) skips.push({ name: j.entry.variant.name, reason: down });
    return down === undefined;
  });

  printHeader(args, pinning, jobs);
  for (const s of skips) console.log(`note: skipping ${s.name}: ${s.reason}`);
  for (const n of notes) console.log(`note: ${n}`);
  const added = jobs.filter((j) => j.dependency).map((j) => j.entry.variant.name);
  if (added.length > 0) console.log(`note: also measured, as the baselines of the selection: ${added.join(', ')}`);

  const secret = randomBytes(32).toString('base64url');
  const results = new Results(loaded.map((l) => l.variant));
  const failures: Skip[] = [];
  for (const job of jobs) {
    for (const scenario of job.scenarios) {
      const variant = job.entry.variant;
      const what = `${variant.label} · ${variant.role === 'bare' ? 'any' : SCENARIO_LABEL[scenario]}`;
      try {
        const m = await measure(job, scenario, args, pinning, secret);
        results.add(m);
        const runs = m.runs.map((r) => Math.round(r.rps).toLocaleString('en-US')).join(' / ');
        const trouble = m.errors + m.non2xx > 0 ? `  (${m.errors} errors, ${m.non2xx} non-2xx)` : '';
        console.log(`  ${what}: ${Math.round(m.rps).toLocaleString('en-US')} req/s, p99 ${m.p99.toFixed(2)} ms  [${runs}]${trouble}`);
      } catch (error) {
        failures.push({ name: `${variant.name}:${scenario}`, reason: (error as Error).message });
        console.log(`  ${what}: FAILED — ${(error as Error).message}`);
      }
    }
  }

  console.log(formatTables(results, loaded.map((l) => l.variant)));
  const redisTable = formatRedis(results);
  if (redisTable) console.log(redisTable);
  const targets = evaluateTargets(results);
  console.log(formatTargets(targets));
  if (skips.length + failures.length > 0) {
    console.log('\nNot measured');
    for (const s of [...skips, ...failures]) console.log(`  ${s.name}: ${s.reason.split('\n')[0]}`);
  }

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    pinning,
    options: { duration: args.duration, warmup: args.warmup, runs: args.runs, connections: args.connections, pipelining: args.pipelining, suites: [...args.suites], only: args.only?.source },
    notes,
    skipped: skips.map(({ name, reason }) => ({ name, reason })),
    failures,
    measurements: results.measurements.map((m) => ({ ...m, ratios: results.ratios(m) })),
    targets: targets.map((t) => ({ issue: t.target.issue, text: t.target.text, value: t.value, detail: t.detail, pass: t.pass })),
  };
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nresults: ${relative(process.cwd(), args.json)}`);
  if (failures.length > 0) process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([current?.stop(), services?.stop()]).then(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await services?.stop();
}
