/**
 * The measuring loop. Every (variant, scenario) gets its own server child, started and warmed up
 * in round 1 and kept alive; the measured runs are interleaved round-robin (run 1 of everything,
 * then run 2, …) so a burst of unrelated load on the machine hits one run of many variants rather
 * than every run of one — the medians stay comparable.
 */
import type { BenchArgs } from './args.ts';
import { cpuSeconds } from './cpu.ts';
import type { Job } from './discover.ts';
import { drive, driveAmount, median, type LoadOptions, type RunResult } from './load.ts';
import type { Pinning } from './pinning.ts';
import { prepare, type Prepared } from './prepare.ts';
import { commandStats, countWrites, delta, monitorProfile, type CommandCounts, type PrivateRedis } from './redis.ts';
import { perRequest, type Measurement } from './results.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import { SCENARIO_LABEL, type Scenario, type Variant } from './types.ts';

const PROFILE_REQUESTS = 500;

interface Live {
  variant: Variant;
  file: string;
  scenario: Scenario;
  server?: ServerProcess;
  prepared?: Prepared;
  runs: RunResult[];
  calls: CommandCounts;
  failure?: string;
}

export interface MeasureContext {
  args: BenchArgs;
  pinning: Pinning;
  env: Record<string, string>;
  redis?: PrivateRedis;
  log: (line: string) => void;
}

export interface Outcome {
  measurements: Measurement[];
  failures: { name: string; reason: string }[];
}

const live = new Set<ServerProcess>();

/** Stop every server still running (for signal handlers). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...live].map((s) => s.stop()));
  live.clear();
}

const what = (l: Live): string => `${l.variant.label} · ${l.variant.role === 'bare' ? 'any' : SCENARIO_LABEL[l.scenario]}`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function failureText(l: Live, error: unknown): string {
  const tail = l.server?.stderr().trim().split('\n').slice(-10).join('\n') ?? '';
  return `${(error as Error).message}${tail ? `\n  server stderr:\n${tail}` : ''}`;
}

async function stop(l: Live): Promise<void> {
  if (l.server === undefined) return;
  live.delete(l.server);
  await l.server.stop();
  l.server = undefined;
}

async function measuredRun(l: Live, ctx: MeasureContext, load: LoadOptions): Promise<void> {
  const prepared = l.prepared as Prepared;
  const redis = l.variant.services?.includes('redis') ? ctx.redis : undefined;
  const before = redis ? await commandStats(redis.stats) : undefined;
  const cpuBefore = cpuSeconds(l.server?.pid);
  const run = await drive(prepared.url, prepared.headers, ctx.args.duration, load);
  const cpuAfter = cpuSeconds(l.server?.pid);
  // Let commits of the last in-flight requests reach Redis before reading the counts.
  if (redis) await new Promise((resolve) => setTimeout(resolve, 250));
  if (cpuBefore !== undefined && cpuAfter !== undefined && run.requests > 0) run.cpuUs = ((cpuAfter - cpuBefore) * 1e6) / run.requests;
  if (redis && before) {
    for (const [name, n] of Object.entries(delta(before, await commandStats(redis.stats)))) l.calls[name] = (l.calls[name] ?? 0) + n;
  }
  l.runs.push(run);
  const trouble = run.errors + run.non2xx > 0 ? `  (${run.errors} errors, ${run.non2xx} non-2xx)` : '';
  const cpu = run.cpuUs === undefined ? '' : `, ${run.cpuUs.toFixed(1)} µs CPU/req`;
  ctx.log(`  [${l.runs.length}/${ctx.args.runs}] ${what(l)}: ${fmt(run.rps)} req/s, p99 ${run.p99.toFixed(2)} ms${cpu}${trouble}`);
}

async function finish(l: Live, ctx: MeasureContext, load: LoadOptions): Promise<Measurement> {
  const runs = l.runs;
  const m: Measurement = {
    variant: l.variant.name,
    label: l.variant.label,
    role: l.variant.role,
    scenario: l.scenario,
    runs,
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    cpuUs: runs.every((r) => r.cpuUs !== undefined) ? median(runs.map((r) => r.cpuUs as number)) : undefined,
    cpuBestUs: runs.every((r) => r.cpuUs !== undefined) ? Math.min(...runs.map((r) => r.cpuUs as number)) : undefined,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    checks: (l.prepared as Prepared).checks,
  };
  const redis = l.variant.services?.includes('redis') ? ctx.redis : undefined;
  if (redis && l.prepared) {
    const prepared = l.prepared;
    const requests = runs.reduce((n, r) => n + r.requests, 0);
    const total = Object.values(l.calls).reduce((n, c) => n + c, 0);
    const writes = await countWrites(redis.stats, l.calls);
    const profile = await monitorProfile(redis.url, () => driveAmount(prepared.url, prepared.headers, PROFILE_REQUESTS, load));
    m.redis = { requests, writes, callsPerRequest: total / requests, writesPerRequest: writes / requests, calls: perRequest(l.calls, requests), profile };
  }
  return m;
}

export async function measureAll(jobs: readonly Job[], ctx: MeasureContext): Promise<Outcome> {
  const load: LoadOptions = { connections: ctx.args.connections, pipelining: ctx.args.pipelining };
  const all: Live[] = jobs.flatMap((job) =>
    job.scenarios.map((scenario) => ({ variant: job.entry.variant, file: job.entry.file, scenario, runs: [], calls: {} })),
  );
  for (let round = 1; round <= ctx.args.runs; round++) {
    if (ctx.args.runs > 1) ctx.log(`round ${round} of ${ctx.args.runs}`);
    for (const l of all) {
      if (l.failure !== undefined) continue;
      try {
        if (round === 1) {
          l.server = await startServer(l.file, l.scenario, ctx.pinning, ctx.env);
          live.add(l.server);
          l.prepared = await prepare(l.server.port, l.scenario, l.variant.role === 'bare');
          await drive(l.prepared.url, l.prepared.headers, ctx.args.warmup, load);
        }
        await measuredRun(l, ctx, load);
      } catch (error) {
        l.failure = failureText(l, error);
        ctx.log(`  ${what(l)}: FAILED — ${l.failure}`);
        await stop(l);
      }
    }
  }
  const measurements: Measurement[] = [];
  const failures: Outcome['failures'] = [];
  for (const l of all) {
    try {
      if (l.failure === undefined) measurements.push(await finish(l, ctx, load));
    } catch (error) {
      l.failure = failureText(l, error);
    } finally {
      await stop(l);
    }
    if (l.failure !== undefined) failures.push({ name: `${l.variant.name}:${l.scenario}`, reason: l.failure });
  }
  return { measurements, failures };
}
