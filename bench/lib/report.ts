/** The printed report: one table per framework group, the Redis figures, the issue targets. */
import type { Measurement, Results, TargetResult } from './results.ts';
import { SCENARIOS, SCENARIO_LABEL, type Variant } from './types.ts';

const ROLE_ORDER: Record<Variant['role'], number> = { bare: 0, peer: 1, holdfast: 2, floor: 3 };

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const times = (n: number | undefined): string => (n === undefined ? '–' : `${n.toFixed(2)}×`);
const per = (n: number | undefined, digits = 2): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

/** The group a variant belongs to: its bare framework (a bare variant is its own group unless it names one). */
function groupOf(v: Variant): string {
  return v.bare ?? v.name;
}

/** A target in a few words, for the table row it applies to. */
function shortTarget(t: TargetResult, v: Variant | undefined): string {
  const target = t.target;
  const mark = t.pass === undefined ? '–' : t.pass ? '✓' : '✗';
  switch (target.kind) {
    case 'ratio': {
      const against = target.against === v?.peer ? 'peer' : target.against === v?.bare ? 'bare' : target.against;
      return `${against} ≥ ${target.min}× ${mark}`;
    }
    case 'p99-below':
      return `p99 < ${target.against === v?.peer ? 'peer' : target.against} ${mark}`;
    case 'redis-commands':
      return `≤ ${target.max} cmd/req ${mark}`;
    case 'redis-writes':
      return `${target.max} writes/req ${mark}`;
  }
}

export function formatTables(results: Results, variants: readonly Variant[], targets: readonly TargetResult[] = []): string {
  const byName = new Map(variants.map((v) => [v.name, v]));
  const measured = results.measurements;
  const groups = new Map<string, Measurement[]>();
  for (const m of measured) {
    const v = byName.get(m.variant);
    if (v === undefined) continue;
    const key = groupOf(v);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const out: string[] = [
    'req/s ratios divide req/s; CPU ratios divide the server\'s CPU µs per request the other way round (what the req/s\n' +
      'ratio would be with a core to itself: less sensitive to other work on the machine).',
  ];
  for (const [group, list] of groups) {
    const bareLabel = byName.get(group)?.label ?? group;
    const peers = [...new Set(list.map((m) => byName.get(m.variant)?.peer).filter((p): p is string => p !== undefined))];
    const peerText = peers.map((p) => byName.get(p)?.label ?? p).join(' / ') || '–';
    out.push(`\n${bareLabel} — vs peer: ${peerText}; vs bare: ${bareLabel}`);
    list.sort((a, b) => {
      const va = byName.get(a.variant);
      const vb = byName.get(b.variant);
      return (
        ROLE_ORDER[va?.role ?? 'holdfast'] - ROLE_ORDER[vb?.role ?? 'holdfast'] ||
        variants.indexOf(va as Variant) - variants.indexOf(vb as Variant) ||
        SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario)
      );
    });
    const rows: string[][] = [
      ['variant', 'scenario', 'req/s', 'p99 ms', 'CPU µs/req', 'best run', 'vs peer', 'vs bare', 'CPU vs peer', 'CPU vs bare', 'best vs peer', 'targets (issues)', 'peer', 'notes'],
    ];
    for (const m of list) {
      const v = byName.get(m.variant);
      const { peer, bare } = results.ratios(m);
      const notes: string[] = [];
      if (m.errors > 0) notes.push(`${m.errors} errors`);
      if (m.non2xx > 0) notes.push(`${m.non2xx} non-2xx`);
      const spread = m.runs.map((r) => r.rps);
      if (spread.length > 1 && m.rps > 0) notes.push(`runs ±${((100 * (Math.max(...spread) - Math.min(...spread))) / 2 / m.rps).toFixed(1)}%`);
      rows.push([
        m.label,
        v?.role === 'bare' ? 'any (no session)' : SCENARIO_LABEL[m.scenario],
        int(m.rps),
        ms(m.p99),
        m.cpuUs === undefined ? '–' : m.cpuUs.toFixed(1),
        m.cpuBestUs === undefined ? '–' : m.cpuBestUs.toFixed(1),
        times(peer),
        times(bare),
        times(results.cpuRatio(m, v?.peer)),
        times(results.cpuRatio(m, v?.bare)),
        times(results.cpuBestRatio(m, v?.peer)),
        targets
          .filter((t) => t.target.variant === m.variant && t.target.scenario === m.scenario)
          .map((t) => shortTarget(t, v))
          .join(', '),
        v?.peer !== undefined && peer !== undefined ? (byName.get(v.peer)?.label ?? v.peer) : '',
        notes.join(', '),
      ]);
    }
    out.push(table(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l', 'l']));
  }
  return out.join('\n');
}

export function formatRedis(results: Results): string {
  const withRedis = results.measurements.filter((m) => m.redis !== undefined);
  if (withRedis.length === 0) return '';
  const rows: string[][] = [['variant', 'scenario', 'cmds/req', 'in scripts/req', 'writes/req', 'top-level mix per request', 'all calls per request (commandstats)']];
  for (const m of withRedis) {
    const r = m.redis;
    if (r === undefined) continue;
    const mix = r.profile ? Object.entries(r.profile.mix).map(([n, c]) => `${n} ${per(c)}`).join(', ') : '–';
    const calls = Object.entries(r.calls).map(([n, c]) => `${n} ${per(c)}`).join(', ');
    rows.push([m.label, SCENARIO_LABEL[m.scenario], per(r.profile?.commandsPerRequest), per(r.profile?.scriptCallsPerRequest), per(r.writesPerRequest, 3), mix, calls]);
  }
  return (
    '\nRedis commands per request (cmds = top-level commands seen by MONITOR over a separate 500-request pass;\n' +
    'writes and "all calls" = INFO commandstats deltas over the measured runs, calls made inside Lua scripts included)\n' +
    table(rows, ['l', 'l', 'r', 'r', 'r', 'l', 'l'])
  );
}

export function formatTargets(targets: readonly TargetResult[]): string {
  const lines = ['\nTargets from the issues'];
  const unmeasured = targets.filter((t) => t.pass === undefined);
  for (const t of targets) {
    if (t.pass === undefined) continue;
    lines.push(`  ${t.pass ? '✓' : '✗'} [issue ${t.target.issue}] ${t.target.text}: ${t.detail ?? ''}`);
    if (t.context !== undefined) lines.push(`      ${t.context}`);
  }
  if (unmeasured.length > 0) {
    const issues = [...new Set(unmeasured.map((t) => t.target.issue))].join(', ');
    lines.push(`  – ${unmeasured.length} more (issue ${issues}) not measured in this run`);
  }
  return lines.join('\n');
}
