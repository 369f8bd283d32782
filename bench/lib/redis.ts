/**
 * Redis for the bench: a private redis-server (own port, no persistence, pinned to the load core)
 * so nothing else on the machine adds to its command counts, and the figures read from it:
 * - `INFO commandstats` deltas around each measured run: every call, those made inside Lua
 *   scripts included, and the calls of commands flagged `write`;
 * - a short MONITOR pass: top-level commands per request (what the app sends: round trips,
 *   MULTI/EXEC counted as commands), and the command mix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { pinned, type Pinning } from './pinning.ts';

export type CommandCounts = Record<string, number>;

export interface PrivateRedis {
  url: string;
  /** True when it is a redis-server this bench started; false when falling back to a shared one. */
  private: boolean;
  stats: Redis;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  await client.connect();
  await client.ping();
  return client;
}

/** Start redis-server on a free port; undefined when the binary is missing. */
export async function startPrivateRedis(pinning: Pinning): Promise<PrivateRedis | undefined> {
  const port = await freePort();
  const [command, args] = pinned(pinning, pinning.loadCore, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes',
  ]);
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: 'ignore', detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch {
    return undefined;
  }
  const url = `redis://127.0.0.1:${port}`;
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', kill);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (child.exitCode !== null) return undefined; // e.g. taskset present but redis-server missing
    try {
      const stats = await connect(url);
      return {
        url,
        private: true,
        stats,
        async stop() {
          stats.disconnect();
          kill();
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  kill();
  return undefined;
}

/** Fall back to an already running Redis (counts then include whatever else uses it). */
export async function sharedRedis(url: string): Promise<PrivateRedis | undefined> {
  try {
    const stats = await connect(url);
    return { url, private: false, stats, stop: async () => void stats.disconnect() };
  } catch {
    return undefined;
  }
}

/** Commands issued by this stats connection itself, left out of every count. */
const OWN = new Set(['info', 'ping', 'command|info', 'monitor', 'client|setname', 'client|setinfo', 'select', 'hello', 'auth']);

export async function commandStats(stats: Redis): Promise<CommandCounts> {
  const text = await stats.info('commandstats');
  const counts: CommandCounts = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = match[1] as string;
    if (!OWN.has(name)) counts[name] = Number(match[2]);
  }
  return counts;
}

export function delta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const out: CommandCounts = {};
  for (const [name, calls] of Object.entries(after)) {
    const d = calls - (before[name] ?? 0);
    if (d > 0) out[name] = d;
  }
  return out;
}

const writeFlags = new Map<string, boolean>();

/** Whether Redis flags the command as a write (`COMMAND INFO`). */
export async function isWrite(stats: Redis, name: string): Promise<boolean> {
  const known = writeFlags.get(name);
  if (known !== undefined) return known;
  const reply = (await stats.call('COMMAND', 'INFO', name)) as unknown[];
  const info = reply[0];
  const flags = Array.isArray(info) && Array.isArray(info[2]) ? (info[2] as unknown[]).map(String) : [];
  const write = flags.includes('write');
  writeFlags.set(name, write);
  return write;
}

export async function countWrites(stats: Redis, counts: CommandCounts): Promise<number> {
  let writes = 0;
  for (const [name, calls] of Object.entries(counts)) if (await isWrite(stats, name)) writes += calls;
  return writes;
}

export interface MonitorProfile {
  requests: number;
  /** Top-level commands sent by clients, per request. */
  commandsPerRequest: number;
  /** Commands run inside Lua scripts, per request. */
  scriptCallsPerRequest: number;
  /** Top-level command mix per request, e.g. { GET: 1, EXPIRE: 1 }. */
  mix: Record<string, number>;
}

/** Watch MONITOR while `drive` sends a known number of requests. */
export async function monitorProfile(url: string, drive: () => Promise<number>): Promise<MonitorProfile> {
  const client = await connect(url);
  const monitor = await client.monitor();
  let topLevel = 0;
  let inScripts = 0;
  const mix: Record<string, number> = {};
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = String(args[0] ?? '').toUpperCase();
    if (source === 'lua') {
      inScripts++;
      return;
    }
    topLevel++;
    mix[name] = (mix[name] ?? 0) + 1;
  });
  try {
    const requests = await drive();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last MONITOR lines arrive
    const per = (n: number): number => (requests > 0 ? n / requests : Number.NaN);
    const mixPer: Record<string, number> = {};
    for (const [name, n] of Object.entries(mix)) mixPer[name] = per(n);
    return { requests, commandsPerRequest: per(topLevel), scriptCallsPerRequest: per(inScripts), mix: mixPer };
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
}
