/** What a run measured, and the ratios and targets computed from it. */
import type { RunResult } from './load.ts';
import type { Prepared } from './prepare.ts';
import type { CommandCounts, MonitorProfile } from './redis.ts';
import { TARGETS, type Target } from './targets.ts';
import type { Scenario, Variant } from './types.ts';

export interface RedisFigures {
  /** Requests in the measured runs, and the write-command calls Redis counted over them. */
  requests: number;
  writes: number;
  /** Every call per request from INFO commandstats (calls made inside Lua scripts included). */
  callsPerRequest: number;
  /** Calls of commands flagged `write`, per request (inside scripts included). */
  writesPerRequest: number;
  /** Command name → calls per request. */
  calls: Record<string, number>;
  /** From the MONITOR pass: top-level commands per request and their mix. */
  profile?: MonitorProfile;
}

export interface Measurement {
  variant: string;
  label: string;
  role: Variant['role'];
  scenario: Scenario;
  runs: RunResult[];
  /** Medians over the runs. */
  rps: number;
  p99: number;
  /** Server CPU µs per request (median over the runs). */
  cpuUs?: number;
  /**
   * Server CPU µs per request of the run that needed least. Interference from outside (a busy
   * sibling hyperthread, another VM) only ever adds CPU time, so on a noisy machine the best run
   * is the steadier estimate of what the code itself costs.
   */
  cpuBestUs?: number;
  errors: number;
  non2xx: number;
  checks: Prepared['checks'];
  redis?: RedisFigures;
}

export class Results {
  readonly measurements: Measurement[] = [];
  readonly #variants: Map<string, Variant>;

  constructor(variants: readonly Variant[]) {
    this.#variants = new Map(variants.map((v) => [v.name, v]));
  }

  add(m: Measurement): void {
    this.measurements.push(m);
  }

  /** The measurement for a variant and scenario; a bare variant answers with its single run. */
  find(variant: string, scenario: Scenario): Measurement | undefined {
    const exact = this.measurements.find((m) => m.variant === variant && m.scenario === scenario);
    if (exact !== undefined) return exact;
    if (this.#variants.get(variant)?.role === 'bare') return this.measurements.find((m) => m.variant === variant);
    return undefined;
  }

  ratio(m: Measurement, against: string | undefined): number | undefined {
    if (against === undefined || against === m.variant) return undefined;
    const other = this.find(against, m.scenario);
    if (other === undefined || !(other.rps > 0)) return undefined;
    return m.rps / other.rps;
  }

  /** The same ratio from server CPU per request (other.cpu ÷ this.cpu): what req/s would be with a core to itself. */
  cpuRatio(m: Measurement, against: string | undefined): number | undefined {
    if (against === undefined || against === m.variant || m.cpuUs === undefined || !(m.cpuUs > 0)) return undefined;
    const other = this.find(against, m.scenario);
    return other?.cpuUs === undefined ? undefined : other.cpuUs / m.cpuUs;
  }

  /** `cpuRatio` from each side's best run (see `cpuBestUs`). */
  cpuBestRatio(m: Measurement, against: string | undefined): number | undefined {
    if (against === undefined || against === m.variant || m.cpuBestUs === undefined || !(m.cpuBestUs > 0)) return undefined;
    const other = this.find(against, m.scenario);
    return other?.cpuBestUs === undefined ? undefined : other.cpuBestUs / m.cpuBestUs;
  }

  /**
   * What a "≥ min× the peer" target asks of this machine: the peer's own speed relative to the
   * bare framework (beside the issue's figure, when it gave one), the target in bare terms, and how
   * far the floor variant (the framework plus the store access alone) gets against the same peer.
   * Undefined when the target is not against a peer or a side is missing.
   */
  peerContext(target: { against: string; min: number; issuePeerVsBare?: number }, m: Measurement): string | undefined {
    const variant = this.#variants.get(m.variant);
    const peer = this.find(target.against, m.scenario);
    if (variant?.bare === undefined || peer === undefined || peer.role !== 'peer') return undefined;
    const parts: string[] = [];
    const peerVsBare = this.ratio(peer, variant.bare);
    const bareLabel = this.#variants.get(variant.bare)?.label ?? variant.bare;
    if (peerVsBare !== undefined) {
      const issue = target.issuePeerVsBare === undefined ? '' : ` (the issue measured ${target.issuePeerVsBare.toFixed(2)}×)`;
      const needed = target.min * peerVsBare;
      const beyond = needed > 1 ? ': faster than the bare framework, out of reach for any middleware' : '';
      parts.push(`${peer.label} runs at ${peerVsBare.toFixed(2)}× ${bareLabel} here${issue}, so ${target.min}× it is ${needed.toFixed(2)}× ${bareLabel}${beyond}`);
    }
    const floor = this.measurements.find((f) => f.role === 'floor' && f.scenario === m.scenario && this.#variants.get(f.variant)?.peer === target.against);
    if (floor !== undefined) {
      const byRps = this.ratio(floor, target.against);
      const best = this.cpuBestRatio(floor, target.against);
      if (byRps !== undefined) parts.push(`${floor.label} reaches ${byRps.toFixed(2)}×${best === undefined ? '' : ` (best runs ${best.toFixed(2)}×)`}`);
    }
    return parts.length === 0 ? undefined : parts.join('; ');
  }

  ratios(m: Measurement): { peer?: number; bare?: number } {
    const variant = this.#variants.get(m.variant);
    return { peer: this.ratio(m, variant?.peer), bare: this.ratio(m, variant?.bare) };
  }
}

export interface TargetResult {
  target: Target;
  /** The measured figure (ratio, ms, commands); undefined when a side was not measured. */
  value?: number;
  detail?: string;
  pass?: boolean;
  /** For a ratio to a peer: what the target means on this machine (the peer vs bare, the floor). */
  context?: string;
}

export function evaluateTargets(results: Results): TargetResult[] {
  const out: TargetResult[] = [];
  for (const target of TARGETS) {
    const m = results.find(target.variant, target.scenario);
    if (m === undefined) {
      out.push({ target });
      continue;
    }
    switch (target.kind) {
      case 'ratio': {
        const value = results.ratio(m, target.against);
        const cpu = results.cpuRatio(m, target.against);
        const best = results.cpuBestRatio(m, target.against);
        const bestText = best === undefined ? '' : `; best runs: ${best.toFixed(2)}×`;
        const cpuText = cpu === undefined ? '' : ` (by server CPU per request: ${cpu.toFixed(2)}×${bestText})`;
        if (value === undefined) out.push({ target });
        else out.push({ target, value, detail: `${value.toFixed(2)}×${cpuText}`, pass: value >= target.min, context: results.peerContext(target, m) });
        break;
      }
      case 'p99-below': {
        const other = results.find(target.against, target.scenario);
        if (other === undefined) out.push({ target });
        else out.push({ target, value: m.p99, detail: `${m.p99.toFixed(2)} ms vs ${other.p99.toFixed(2)} ms`, pass: m.p99 < other.p99 });
        break;
      }
      case 'redis-commands': {
        const value = m.redis?.profile?.commandsPerRequest;
        out.push(value === undefined ? { target } : { target, value, detail: `${value.toFixed(2)} per request`, pass: value <= target.max + 1e-9 });
        break;
      }
      case 'redis-writes': {
        // Touches (at most one per session per touchAfter) are writes too; over minutes of
        // interleaved runs a read-only session gets a few. They round to 0 per request.
        const r = m.redis;
        if (r === undefined) out.push({ target });
        else {
          const detail = `${r.writesPerRequest.toFixed(4)} per request (${r.writes} write calls over ${r.requests.toLocaleString('en-US')} requests)`;
          out.push({ target, value: r.writesPerRequest, detail, pass: r.writesPerRequest < target.max + 0.001 });
        }
        break;
      }
    }
  }
  return out;
}

export function perRequest(counts: CommandCounts, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, calls] of Object.entries(counts)) out[name] = requests > 0 ? calls / requests : Number.NaN;
  return out;
}
