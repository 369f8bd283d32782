/**
 * Throwaway Redis processes for tests that need their own topology (Cluster, Sentinel, a private
 * server to count commands on). Each `RedisServers` owns a temp dir and the processes it started;
 * `stop()` kills them (SIGKILL to each process group) and removes the dir. The same happens,
 * synchronously, if the test process exits or is interrupted first.
 *
 *   const servers = new RedisServers('cluster');
 *   after(() => servers.stop());
 *   await servers.startCluster(await freePorts(3, 10_000));
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';

interface Started {
  port: number;
  child: ChildProcess;
  log: string;
}

const live = new Set<RedisServers>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function cleanupAllSync(): void {
  for (const servers of live) servers.killSync();
}
process.once('exit', cleanupAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanupAllSync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Encode one command in RESP. */
function encode(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

type Reply = string | number | null | Error | Reply[];

/** Parse one RESP2 reply at `pos`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, pos: number): { value: Reply; next: number } | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol === -1) return undefined;
  const type = String.fromCharCode(buf[pos] as number);
  const line = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new Error(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: after };
      if (buf.length < after + length + 2) return undefined;
      return { value: buf.toString('utf8', after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/**
 * Send one command to 127.0.0.1:port on a fresh connection (no driver involved) and resolve its
 * reply; a Redis error reply rejects.
 */
export function redisCommand(port: number, args: readonly string[], timeoutMs = 2_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no reply from ${HOST}:${port} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | null, value?: Reply): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value as Reply);
    };
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const parsed = parse(buf, 0);
      if (parsed === undefined) return;
      if (parsed.value instanceof Error) finish(parsed.value);
      else finish(null, parsed.value);
    });
  });
}

/** `INFO section` as a field → value map. */
export async function redisInfo(port: number, section: string): Promise<Map<string, string>> {
  const text = await redisCommand(port, ['INFO', section]);
  const out = new Map<string, string>();
  for (const line of String(text).split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** Poll `check` until it resolves true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

function canListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
    });
  });
}

/**
 * `count` distinct free TCP ports on 127.0.0.1 (chosen by the OS, so two runs of one test file
 * never collide). With `busOffset` (Redis Cluster: 10000), port + offset is free as well.
 */
export async function freePorts(count: number, busOffset = 0): Promise<number[]> {
  const out: number[] = [];
  for (let attempts = 0; out.length < count; attempts++) {
    if (attempts > 200) throw new Error('could not find free ports');
    const port = await canListen(0);
    if (port === undefined || out.includes(port) || port + busOffset > 65_535) continue;
    if (busOffset !== 0 && (await canListen(port + busOffset)) === undefined) continue;
    out.push(port);
  }
  return out;
}

/** Is `redis-server` (and redis-cli) on PATH? Rejects with the reason when not. */
export function probeRedisBinaries(): Promise<void> {
  const run = (cmd: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, ['--version'], { stdio: 'ignore' });
      child.on('error', (error) => reject(new Error(`${cmd} is not installed (${error.message})`)));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} --version exited with ${code}`))));
    });
  return Promise.all([run('redis-server'), run('redis-cli')]).then(() => undefined);
}

export class RedisServers {
  readonly dir: string;
  readonly #started: Started[] = [];

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `holdfast-redis-${label}-`));
    live.add(this);
  }

  /** Start one redis-server on `port` and wait until it answers PING. */
  async start(port: number, extraArgs: readonly string[] = [], configFile?: string): Promise<void> {
    const log = join(this.dir, `${port}.log`);
    const args = [
      ...(configFile === undefined ? [] : [configFile]),
      '--port', String(port),
      '--bind', HOST,
      '--protected-mode', 'no',
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--dir', this.dir,
      '--logfile', log,
      ...extraArgs,
    ];
    const child = spawn('redis-server', args, { detached: true, stdio: 'ignore', cwd: this.dir });
    child.unref();
    const started: Started = { port, child, log };
    this.#started.push(started);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => undefined);
    await Promise.race([
      spawnError,
      waitFor(`redis-server on port ${port} to answer PING`, async () => {
        if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode}): ${this.#tail(log)}`);
        return (await redisCommand(port, ['PING'], 500)) === 'PONG';
      }, 10_000),
    ]);
  }

  /** Three (or more) masters, no replicas, all slots assigned; resolves once cluster_state is ok everywhere. */
  async startCluster(ports: readonly number[]): Promise<void> {
    await Promise.all(
      ports.map((port) =>
        this.start(port, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '3000']),
      ),
    );
    await this.#run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor('cluster_state:ok on every node', async () => {
      for (const port of ports) {
        const info = String(await redisCommand(port, ['CLUSTER', 'INFO']));
        if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${ports.length}`)) return false;
      }
      return true;
    });
  }

  /** A master, one replica of it and one sentinel monitoring it as `name` (quorum 1). */
  async startSentinel(ports: { master: number; replica: number; sentinel: number }, name: string): Promise<void> {
    // No 5 s wait before the first (diskless) full sync of the replica.
    await this.start(ports.master, ['--repl-diskless-sync-delay', '0']);
    await this.start(ports.replica, ['--replicaof', HOST, String(ports.master)]);
    const conf = join(this.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `sentinel monitor ${name} ${HOST} ${ports.master} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        '',
      ].join('\n'),
    );
    await this.start(ports.sentinel, ['--sentinel'], conf);
    await waitFor('the replica to sync', async () => (await redisInfo(ports.replica, 'replication')).get('master_link_status') === 'up');
    await waitFor('the sentinel to know the master', async () => {
      const addr = await redisCommand(ports.sentinel, ['SENTINEL', 'get-master-addr-by-name', name]);
      return Array.isArray(addr) && addr[1] === String(ports.master);
    });
  }

  /** Kill one server (SIGKILL, as a crash) and wait until it is gone. */
  async kill(port: number): Promise<void> {
    const started = this.#started.find((s) => s.port === port);
    if (started === undefined) throw new Error(`no redis-server of ours on port ${port}`);
    killGroup(started.child);
    await waitFor(`redis-server on port ${port} to exit`, async () => started.child.exitCode !== null || started.child.signalCode !== null, 5_000, 20);
  }

  /** Kill every process this instance started (whole process groups) and remove the temp dir. */
  async stop(): Promise<void> {
    for (const { child } of this.#started) killGroup(child);
    await waitFor(
      'redis processes to exit',
      async () => this.#started.every(({ child }) => child.exitCode !== null || child.signalCode !== null),
      5_000,
      20,
    ).catch(() => undefined);
    this.#started.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** Synchronous last resort (process exit). */
  killSync(): void {
    for (const { child } of this.#started) killGroup(child);
    rmSync(this.dir, { recursive: true, force: true });
  }

  #tail(log: string): string {
    try {
      return readFileSync(log, 'utf8').split('\n').slice(-5).join(' | ');
    } catch {
      return '(no log)';
    }
  }

  #run(cmd: string, args: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${output.slice(-500)}`))));
    });
  }
}
