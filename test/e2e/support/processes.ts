/**
 * Child processes for end-to-end tests: each runs in its own process group, its output is kept
 * for assertions, and every one still alive is killed (SIGKILL to the group) when the test
 * process exits, so a failing test leaves no nginx or app behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
// Interrupted (Ctrl-C, the test runner's SIGTERM on a timeout): exit, which runs the cleanup above.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export interface Tracked {
  readonly pid: number;
  /** Whether it has exited. */
  readonly ended: boolean;
  /** stdout and stderr as they arrived, interleaved. */
  readonly output: string;
  /** Resolves when `text` (or a match of the pattern) has appeared in the output; rejects on exit or after `ms`. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the group, SIGKILL after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export function startTracked(command: string, args: readonly string[], options: SpawnOptions & { name: string }): Tracked {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let output = '';
  let ended = false;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      ended = true;
      live.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      output += `\n${options.name}: ${error.message}\n`;
      done();
    });
  });

  return {
    pid: child.pid ?? -1,
    get output() {
      return output;
    },
    get ended() {
      return ended;
    },
    waitFor(pattern, ms = 15_000) {
      const find = (): RegExpMatchArray | null =>
        typeof pattern === 'string' ? (output.includes(pattern) ? [pattern] : null) : pattern.exec(output);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = find();
          if (match === null) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${options.name}: ${String(pattern)} did not appear within ${ms} ms:\n${output}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then(() => {
          if (find() !== null) return;
          cleanup();
          reject(new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}):\n${output}`));
        });
        check();
      });
    },
    async stop(graceMs = 3_000) {
      if (ended) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A loopback port that was free a moment ago (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
