/**
 * A redis-server only one test uses, on a free port, persisting to an append-only file with
 * fsync on every write (`--appendonly yes --appendfsync always`) in its own temp dir, so a
 * SIGKILL + restart keeps every write Redis acknowledged. It can be frozen (SIGSTOP: the socket
 * stays open, nothing answers — a hung store), killed (SIGKILL) and restarted on the same port
 * and dir. `stop()` kills its process group and removes the dir; so does the exit of the test
 * process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup } from '../../support/app-process.ts';

const HOST = '127.0.0.1';
const live = new Set<PrivateRedis>();
process.once('exit', () => {
  for (const redis of live) redis.killSync();
});

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** PING on a fresh socket: true on +PONG within `timeoutMs`. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class PrivateRedis {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  log = '';

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'hf-private-redis-')));
    live.add(redis);
    try {
      await redis.restart();
    } catch (error) {
      await redis.stop();
      throw error;
    }
    return redis;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Start (again) on the same port and dir; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('redis-server is already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir, '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.#child = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.log += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.log += chunk));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (let waited = 0; !(await ping(this.port)); waited += 50) {
      if (!this.running) throw new Error(`redis-server on ${this.port} exited at start:\n${this.log}`);
      if (waited > 10_000) throw new Error(`redis-server on ${this.port} did not answer within 10 s:\n${this.log}`);
      await sleep(50);
    }
  }

  /** SIGKILL: the server dies at once, mid-command; the AOF keeps what it acknowledged. */
  async kill(): Promise<void> {
    if (this.#child !== undefined) killGroup(this.#child);
    await this.#exited;
  }

  /** SIGSTOP / SIGCONT: a server that holds its connections but answers nothing. */
  freeze(frozen: boolean): void {
    if (this.#child?.pid !== undefined && this.running) process.kill(this.#child.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  killSync(): void {
    if (this.#child !== undefined) killGroup(this.#child);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}
