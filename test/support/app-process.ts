/**
 * Real app processes for multi-instance tests. `startApp()` runs a .ts app file (by default
 * test/integration/apps/shared-store-app.ts) with the project's Node 24 in its own process group,
 * waits for its `listening <port>` line, and gives a small HTTP client with a cookie per call.
 *
 *   const a = await startApp('A', { HF_STORE: 'redis', HF_SECRET: secret });
 *   after(() => a.stop());
 *   const res = await a.request('POST', '/login?user=alice');
 *
 * Every started process is killed (SIGKILL to its group) if the test process exits first.
 * stdout/stderr are kept in memory for assertions (`a.stderr`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE = `${ROOT}node_modules/.bin/node`;
/** Resolve `holdfast/...` self-imports to the .ts sources (package.json exports), as npm scripts do. */
export const SOURCE_CONDITION = '--conditions=holdfast-source';
export const DEFAULT_APP = `${ROOT}test/integration/apps/shared-store-app.ts`;

/** Marker lines the integration app prints for problems the tests must never see. */
export const PROBLEM_MARKERS = ['HF_UNHANDLED_REJECTION', 'HF_UNCAUGHT_EXCEPTION', 'HF_APP_ERROR'] as const;

const live = new Set<ChildProcess>();

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.once('exit', () => {
  for (const child of live) killGroup(child);
});
// Interrupted (Ctrl-C, the runner's SIGTERM): exit, which runs the 'exit' cleanups above.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export interface AppResponse {
  status: number;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: unknown;
  /** Every Set-Cookie header. */
  setCookies: string[];
  /** Milliseconds from sending to the full body. */
  ms: number;
}

export interface RequestOptions {
  /** Cookie header to send. */
  cookie?: string;
  /** Abort after this many ms (default 5,000): a hang becomes a rejection, never a stuck test. */
  timeoutMs?: number;
}

export interface AppProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Everything the app wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code / signal once it ended; undefined while it runs. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  request(method: string, path: string, options?: RequestOptions): Promise<AppResponse>;
  /** Lines of stderr carrying one of PROBLEM_MARKERS. */
  problems(): string[];
  /** SIGTERM, then SIGKILL to the process group after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartAppOptions {
  /** The .ts file to run. Default: the shared-store app. */
  file?: string;
  /** Give up if `listening` does not appear within this many ms. Default 15,000. */
  startTimeoutMs?: number;
}

export async function startApp(name: string, env: Record<string, string>, options: StartAppOptions = {}): Promise<AppProcess> {
  const { file = DEFAULT_APP, startTimeoutMs = 15_000 } = options;
  const child = spawn(NODE, [SOURCE_CONDITION, file], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let exit: AppProcess['exit'];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(child);
      resolve();
    });
  });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const check = (): void => {
        const match = /^listening (\d+)$/m.exec(stdout);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before listening (${JSON.stringify(exit)}):\n${stderr}`));
      });
      check();
    });
  } catch (error) {
    killGroup(child);
    await exited;
    throw error;
  }

  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    port,
    url,
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get exit() {
      return exit;
    },
    request: (method, path, requestOptions) => request(url, method, path, requestOptions),
    problems: () => stderr.split('\n').filter((line) => PROBLEM_MARKERS.some((marker) => line.includes(marker))),
    async stop(graceMs = 2_000) {
      if (exit !== undefined) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function request(base: string, method: string, path: string, options: RequestOptions = {}): Promise<AppResponse> {
  const { cookie, timeoutMs = 5_000 } = options;
  const started = performance.now();
  const headers: Record<string, string> = {};
  if (cookie !== undefined) headers.cookie = cookie;
  const res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, setCookies: res.headers.getSetCookie(), ms: performance.now() - started };
}

/** The `name=value` pair of the session cookie among Set-Cookie headers (undefined when none). */
export function sessionCookie(setCookies: readonly string[], name = 'sid'): string | undefined {
  for (const header of setCookies) {
    const pair = header.split(';', 1)[0]!;
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}
