/** Load every bench/variants/*.ts and decide what runs: selection, dependencies, skips. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchArgs } from './args.ts';
import type { Scenario, Variant } from './types.ts';

export interface Loaded {
  variant: Variant;
  file: string;
}

export interface Skip {
  name: string;
  reason: string;
  /** Present when the file loaded but the holdfast side it needs is missing. */
  variant?: Variant;
}

export async function loadVariants(dir: string, root: string): Promise<{ loaded: Loaded[]; skipped: Skip[] }> {
  const loaded: Loaded[] = [];
  const skipped: Skip[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts')).sort();
  for (const name of files) {
    const file = join(dir, name);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: Variant };
      const variant = mod.default;
      if (variant === undefined || typeof variant.start !== 'function') throw new Error('no default-exported variant');
      loaded.push({ variant, file });
    } catch (error) {
      skipped.push({ name: name.replace(/\.ts$/, ''), reason: `failed to load: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  // Keep a readable order: by suite as declared in each file, bare first.
  const missing = (v: Variant): string[] => (v.needsFiles ?? []).filter((f) => !existsSync(join(root, f)));
  const ready: Loaded[] = [];
  for (const entry of loaded) {
    const absent = missing(entry.variant);
    if (absent.length > 0) {
      skipped.push({ name: entry.variant.name, variant: entry.variant, reason: `holdfast side not in the tree yet (${absent.join(', ')} missing)` });
    }
    else ready.push(entry);
  }
  return { loaded: ready, skipped };
}

export interface Job {
  entry: Loaded;
  scenarios: Scenario[];
  /** Only here because a selected variant is compared to it. */
  dependency: boolean;
}

export function plan(loaded: readonly Loaded[], skipped: readonly Skip[], args: BenchArgs): Job[] {
  const byName = new Map(loaded.map((l) => [l.variant.name, l]));
  const needed = new Map<string, { scenarios: Set<Scenario>; dependency: boolean }>();
  const want = (name: string, scenarios: readonly Scenario[], dependency: boolean): void => {
    const entry = byName.get(name);
    if (entry === undefined) return;
    const own = entry.variant.scenarios;
    const set = needed.get(name) ?? { scenarios: new Set<Scenario>(), dependency };
    // A bare variant has one scenario and stands for all of them.
    const pick = entry.variant.role === 'bare' ? own : scenarios.filter((s) => own.includes(s));
    for (const s of pick) set.scenarios.add(s);
    set.dependency &&= dependency;
    needed.set(name, set);
  };
  const selected = (v: Variant): boolean =>
    args.suites.has(v.suite) && (args.only === undefined || args.only.test(v.name) || args.only.test(v.label));
  const chosen = [...loaded.map((l) => l.variant), ...skipped.flatMap((s) => (s.variant ? [s.variant] : []))].filter(selected);
  for (const variant of chosen) want(variant.name, variant.scenarios, false);
  // A variant skipped for a missing holdfast side still pulls in its peer and bare variants.
  if (args.deps) {
    for (const variant of chosen) {
      if (variant.peer !== undefined) want(variant.peer, variant.scenarios, true);
      if (variant.bare !== undefined) want(variant.bare, variant.scenarios, true);
    }
    // Peers have a bare variant too (for their own "vs bare" column).
    for (const name of [...needed.keys()]) {
      const bare = byName.get(name)?.variant.bare;
      if (bare !== undefined) want(bare, ['anonymous'], true);
    }
  }
  return loaded
    .filter((l) => needed.has(l.variant.name))
    .map((l) => {
      const n = needed.get(l.variant.name) as { scenarios: Set<Scenario>; dependency: boolean };
      return { entry: l, scenarios: l.variant.scenarios.filter((s) => n.scenarios.has(s)), dependency: n.dependency };
    })
    .filter((j) => j.scenarios.length > 0);
}
