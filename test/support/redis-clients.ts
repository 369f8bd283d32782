/**
 * Test helpers around real Redis clients: a transparent wrapper that logs every command the
 * store sends (and every error reply), and prefix cleanup without a driver.
 */
import { DESTROY, DESTROY_IF_USER, INDEX_ADD, INDEX_LIST, INDEX_PRUNE, PATCH, SET, TOUCH } from '../../src/stores/redis/scripts.ts';
import { redisCommand } from './redis-servers.ts';

const SCRIPT_NAMES = new Map([SET, PATCH, TOUCH, DESTROY, DESTROY_IF_USER, INDEX_ADD, INDEX_LIST, INDEX_PRUNE].map((s) => [s.sha, s.name]));

export interface CommandLog {
  /** Commands sent, as 'HGETALL' or 'EVALSHA patch'. */
  commands: string[];
  /** Sequential rounds: a round starts when a command is sent while none is in flight. */
  rounds: number;
  /** Error replies seen (messages). */
  errors: string[];
  reset(): void;
}

function describeCommand(args: readonly unknown[]): string {
  const name = String(args[0]).toUpperCase();
  if (name === 'EVALSHA') return `EVALSHA ${SCRIPT_NAMES.get(String(args[1])) ?? '?'}`;
  if (name === 'EVAL') return 'EVAL';
  return name;
}

/**
 * Wrap an ioredis or node-redis client so every command goes through a log. The wrapper is a
 * Proxy: the store's duck typing sees the same shape; methods run bound to the real client.
 */
export function loggingClient<T extends object>(client: T): { client: T; log: CommandLog } {
  let inFlight = 0;
  const log: CommandLog = {
    commands: [],
    rounds: 0,
    errors: [],
    reset() {
      this.commands.length = 0;
      this.errors.length = 0;
      this.rounds = 0;
    },
  };
  const track = (args: readonly unknown[], promise: Promise<unknown>): Promise<unknown> => {
    log.commands.push(describeCommand(args));
    if (inFlight === 0) log.rounds++;
    inFlight++;
    promise.then(
      () => inFlight--,
      (error: unknown) => {
        inFlight--;
        log.errors.push(error instanceof Error ? error.message : String(error));
      },
    );
    return promise;
  };
  const proxy = new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'call') {
        // ioredis: call(name, args[])
        return (name: string, args: unknown[]) => track([name, ...args], fn.call(target, name, args) as Promise<unknown>);
      }
      if (prop === 'sendCommand') {
        return (...params: unknown[]) => {
          const args = params.find((p) => Array.isArray(p)) as unknown[];
          return track(args, fn.apply(target, params) as Promise<unknown>);
        };
      }
      return fn.bind(target);
    },
  });
  return { client: proxy, log };
}

/** Delete every key under `prefix` on one server (SCAN + UNLINK; one node of a cluster at a time). */
export async function deletePrefix(port: number, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const reply = (await redisCommand(port, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'])) as [string, string[]];
    cursor = reply[0];
    for (const key of reply[1]) deleted += Number(await redisCommand(port, ['UNLINK', key]));
  } while (cursor !== '0');
  return deleted;
}

/** Keys under `prefix` on one server. */
export async function keysUnder(port: number, prefix: string): Promise<string[]> {
  let cursor = '0';
  const out: string[] = [];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const reply = (await redisCommand(port, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'])) as [string, string[]];
    cursor = reply[0];
    out.push(...reply[1]);
  } while (cursor !== '0');
  return out;
}
