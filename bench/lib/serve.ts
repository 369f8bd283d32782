/**
 * The server-child side: what a variant file runs when started directly.
 *   node bench/variants/<name>.ts <scenario>      (or BENCH_SCENARIO=<scenario>)
 * prints `PORT <n>` once listening and shuts down cleanly on SIGTERM/SIGINT.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { SCENARIOS, type BenchEnv, type Scenario, type Variant } from './types.ts';

export const HOST = '127.0.0.1';

/** Connection details from the environment, with the defaults of this machine's services. */
export function benchEnv(): BenchEnv {
  const env = process.env;
  return {
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    mysqlUrl: env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
    tmpDir: env.BENCH_TMP_DIR ?? tmpdir(),
    secret: env.BENCH_SECRET ?? 'bench-only-secret-0123456789abcdefghijklmnopqrstuv',
  };
}

export function parseScenario(value: string | undefined): Scenario {
  const found = SCENARIOS.find((s) => s === value);
  if (found === undefined) throw new Error(`unknown scenario ${JSON.stringify(value)}; use one of ${SCENARIOS.join(', ')}`);
  return found;
}

/** Listen on an ephemeral port of 127.0.0.1 and resolve the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function serve(variant: Variant): Promise<void> {
  const scenario = parseScenario(process.argv[2] ?? process.env.BENCH_SCENARIO ?? 'anonymous');
  const running = await variant.start(scenario, benchEnv());
  process.stdout.write(`PORT ${running.port}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${variant.name}: close failed:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
