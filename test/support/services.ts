/**
 * Tests that need a real server (PostgreSQL, MariaDB, Redis) ask for it here first:
 *
 *   const redisUp = await requireService('Redis 127.0.0.1:6379', async () => { ...connect, PING, quit... });
 *   describe('RedisStore', { skip: !redisUp && 'Redis is not running' }, () => { ... });
 *
 * When the probe fails: under CI (`CI=true`) this throws, so the file FAILS — a missing service in
 * CI is a broken pipeline, not a pass. Elsewhere it prints one loud line saying what is skipped
 * and why, and resolves false.
 */

export interface RequireServiceOptions {
  /** How long the probe may take, in ms. Default 3,000. */
  timeout?: number;
}

export async function requireService(
  name: string,
  probe: () => Promise<unknown>,
  options: RequireServiceOptions = {},
): Promise<boolean> {
  const { timeout = 3_000 } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
      }),
    ]);
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`${name} is required when CI=true but is not available: ${reason}`, { cause: error });
    }
    console.warn(`\n!!! SKIPPING tests that need ${name}: it is not available (${reason}). Set CI=true to make this a failure.\n`);
    return false;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
