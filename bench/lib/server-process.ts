/** Start a variant's server file in a child process (pinned), wait for its port, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned, type Pinning } from './pinning.ts';
import type { Scenario } from './types.ts';

export interface ServerProcess {
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
  /** Everything the child wrote to stderr so far (for error reports). */
  stderr(): string;
}

/** Children still running: killed synchronously if this process exits first (they run detached). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startServer(
  file: string,
  scenario: Scenario,
  pinning: Pinning,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env, BENCH_TMP_DIR: tmpDir, BENCH_SCENARIO: scenario };
  // Same mode for every variant: development (holdfast's secure-only production cookie would not go over plain http).
  delete childEnv.NODE_ENV;
  const [command, args] = pinned(pinning, pinning.serverCore, process.execPath, [file, scenario]);
  const child = spawn(command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-8_000);
  });

  const cleanup = (): void => rmSync(tmpDir, { recursive: true, force: true });
  const killGroup = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };

  let onEarlyExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no PORT line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    function fail(error: Error): void {
      clearTimeout(timer);
      killGroup();
      cleanup();
      reject(new Error(`${file} ${scenario}: ${error.message}\n${err.trim()}`));
    }
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /^PORT (\d+)$/m.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    onEarlyExit = (code, signal) => fail(new Error(`exited early (${signal ?? code})`));
    child.once('exit', onEarlyExit);
    child.once('error', fail);
  });
  if (onEarlyExit !== undefined) child.off('exit', onEarlyExit);

  return {
    port,
    pid: child.pid,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
        killGroup();
        await waitExit(child, STOP_TIMEOUT_MS);
      }
      cleanup();
    },
  };
}
