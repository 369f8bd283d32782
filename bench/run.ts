/**
 * `npm run bench`: every session variant side by side on this machine. Each variant's server runs
 * in a child pinned to core 0; autocannon drives it from this process, pinned to core 1. Per
 * variant and scenario: a warm-up, then `--runs` measured runs; medians are reported, with the
 * ratios to the peer library and to the bare framework, and the targets the issues set.
 * Never part of `npm test`. `npm run bench -- --help` for the flags.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.ts';
import { loadVariants, plan, type Job, type Skip } from './lib/discover.ts';
import { measureAll, stopAll } from './lib/measure.ts';
import { setUpPinning, type Pinning } from './lib/pinning.ts';
import { formatRedis, formatTables, formatTargets } from './lib/report.ts';
import { evaluateTargets, Results } from './lib/results.ts';
import { setUpServices, type Services } from './lib/services.ts';
import type { Service } from './lib/types.ts';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const SECONDS_OVERHEAD_PER_SERVER = 1;

let services: Services | undefined;

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
      `${args.runs} × ${args.duration} s measured (interleaved round-robin), median reported`,
  );
  const load = loadavg()[0] ?? 0;
  if (load > 1) console.log(`warning: load average ${load.toFixed(2)} before starting — something else is using the CPU; figures will be noisy`);
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

  const loadBefore = loadavg();
  const secret = randomBytes(32).toString('base64url');
  const results = new Results(loaded.map((l) => l.variant));
  const outcome = await measureAll(jobs, {
    args,
    pinning,
    env: { ...services.env(), BENCH_SECRET: secret },
    redis: services.redis,
    log: (line) => console.log(line),
  });
  for (const m of outcome.measurements) results.add(m);
  const failures: Skip[] = outcome.failures;

  const targets = evaluateTargets(results);
  console.log(formatTables(results, loaded.map((l) => l.variant), targets));
  const redisTable = formatRedis(results);
  if (redisTable) console.log(redisTable);
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
    loadAverage: { before: loadBefore, after: loadavg() },
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
    void Promise.allSettled([stopAll(), services?.stop()]).then(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await services?.stop();
}
