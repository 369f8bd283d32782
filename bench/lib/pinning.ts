/**
 * CPU pinning with taskset: the server child on core 0, the load generator (this process) and the
 * private Redis on core 1. Without taskset or with a single core, nothing is pinned (and the
 * report says so).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  enabled: boolean;
  /** Why not, when disabled. */
  reason?: string;
  serverCore: number;
  loadCore: number;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Decide, and pin this process (all its threads) to the load core. */
export function setUpPinning(): Pinning {
  const cores = availableParallelism();
  if (cores < 2) return { enabled: false, reason: `only ${cores} core`, serverCore: 0, loadCore: 0 };
  if (!hasTaskset()) return { enabled: false, reason: 'taskset not found', serverCore: 0, loadCore: 1 };
  try {
    execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  } catch (error) {
    return { enabled: false, reason: `taskset failed: ${(error as Error).message}`, serverCore: 0, loadCore: 1 };
  }
  return { enabled: true, serverCore: 0, loadCore: 1 };
}

/** The command and arguments that run `command args` on `core` (unchanged when pinning is off). */
export function pinned(pinning: Pinning, core: number, command: string, args: readonly string[]): [string, string[]] {
  if (!pinning.enabled) return [command, [...args]];
  return ['taskset', ['-c', String(core), command, ...args]];
}
