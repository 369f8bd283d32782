/**
 * A Redis that dies under load. The app (holdfast/express with storeTimeout 500 ms, on RedisStore
 * over ioredis, then on connect-redis over node-redis through the express-session bridge) runs in a child process against a private redis-server (AOF, fsync always) that this
 * test freezes (SIGSTOP: a hung store), thaws, kills (SIGKILL) and restarts on the same port,
 * while 20 requests are in flight at all times. Requirements:
 * - every request is answered: 200, or 503 within the store timeout — no hang, no 500;
 * - the app process never dies, keeps answering /health, and reports no unhandled rejection;
 * - after the restart requests succeed again without restarting the app;
 * - every write acknowledged with a 2xx (before the kill and after the restart) is readable.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type AppProcess } from '../support/app-process.ts';
import { requireService } from '../support/services.ts';
import { Load, percentile, statusCounts, watchHealth } from './support/load.ts';
import { ping, PrivateRedis } from './support/private-redis.ts';
import { spawnSync } from 'node:child_process';

const STORE_TIMEOUT = 500;
/** Scheduling slack on top of the store timeout for a loaded test machine. */
const SLACK = 400;
const CONCURRENCY = 20;
const TAG = randomBytes(4).toString('hex');

const haveRedisServer = await requireService('redis-server binary', async () => {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.error?.message ?? 'redis-server --version failed');
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const [title, storeKind] of [
  ['RedisStore (ioredis)', 'redis'],
  ['connect-redis (node-redis) through the express-session bridge', 'connect-redis'],
] as const) {
  describe(`store outage under load: ${title}`, { skip: !haveRedisServer && 'redis-server is not installed' }, () => {
    let redis: PrivateRedis | undefined;
    let app: AppProcess | undefined;

    before(async () => {
      redis = await PrivateRedis.start();
      app = await startApp('app', {
        HF_STORE: storeKind,
        HF_REDIS_PORT: String(redis.port),
        HF_REDIS_PREFIX: `hf-outage-${TAG}:`,
        HF_SECRET: randomBytes(32).toString('base64url'),
        HF_STORE_TIMEOUT: String(STORE_TIMEOUT),
      });
    });

    after(async () => {
      await app?.stop();
      await redis?.stop();
    });

    it('fails fast with 503 while Redis hangs or is gone, recovers after a restart, loses no acknowledged write', async () => {
      const server = redis!;
      const cookies = await Load.signIn(app!, 5, TAG);
      const load = new Load(app!, cookies);
      const health = watchHealth(app!);
      load.start(CONCURRENCY, 5_000);

      await sleep(1_500);
      load.phase = 'frozen';
      server.freeze(true);
      await sleep(1_500);
      server.freeze(false);
      load.phase = 'thawed';
      await sleep(1_000);

      load.phase = 'down';
      const killedAt = performance.now();
      await server.kill();
      await sleep(2_000);
      assert.equal(await ping(server.port), false);

      load.phase = 'restarting';
      await server.restart();
      const restartedAt = performance.now();
      let recoveredAt: number | undefined;
      for (let i = 0; i < 100 && recoveredAt === undefined; i++) {
        const probe = await app!.request('GET', '/me', { cookie: cookies[0]!, timeoutMs: 2_000 });
        if (probe.status === 200) recoveredAt = performance.now();
        else await sleep(100);
      }
      assert.ok(recoveredAt !== undefined, 'requests succeed again within 10 s of the restart, same app process');
      load.phase = 'recovered';
      await sleep(2_000);
      await load.stop();
      const healthSeen = await health.stop();

      // ---- report ----
      const byPhase = ['warmup', 'frozen', 'thawed', 'down', 'restarting', 'recovered'].map((phase) => {
        const outcomes = load.of(phase);
        const failed = outcomes.filter((o) => o.status === 503).map((o) => o.ms);
        return { phase, counts: statusCounts(outcomes), p50_503: Math.round(percentile(failed, 50)), max_503: Math.round(Math.max(0, ...failed)) };
      });
      console.log(`# ${title} outage (${CONCURRENCY} concurrent, storeTimeout ${STORE_TIMEOUT} ms):`);
      for (const row of byPhase) console.log(`#   ${JSON.stringify(row)}`);
      console.log(`#   recovered ${Math.round(recoveredAt - restartedAt)} ms after restart (down for ${Math.round(restartedAt - killedAt)} ms)`);

      // ---- every request answered, fast ----
      const transportErrors = load.outcomes.filter((o) => o.status === 'error');
      assert.deepEqual(transportErrors.slice(0, 3), [], `${transportErrors.length} requests hung or were reset`);
      const unexpected = load.outcomes.filter((o) => o.status !== 200 && o.status !== 503);
      assert.deepEqual(unexpected.slice(0, 3), [], 'only 200 or 503');
      const slow503 = load.outcomes.filter((o) => o.status === 503 && o.ms > STORE_TIMEOUT + SLACK);
      assert.deepEqual(slow503.slice(0, 3), [], `every 503 within storeTimeout + ${SLACK} ms`);
      assert.deepEqual(load.of('warmup').filter((o) => o.status !== 200).slice(0, 3), [], 'all good before the outage');
      assert.ok(load.of('frozen').some((o) => o.status === 503), 'a hung Redis gives 503s');
      assert.ok(load.of('down').length > 0 && load.of('down').every((o) => o.status === 503), 'a dead Redis gives 503s only');
      const recovered = load.of('recovered');
      assert.ok(recovered.length > 50, `load ran after recovery (${recovered.length} requests)`);
      assert.deepEqual(recovered.filter((o) => o.status !== 200).slice(0, 3), [], 'all good after recovery');
      assert.deepEqual(load.outcomes.filter((o) => o.cookieChanged).slice(0, 3), [], 'a store failure never swaps the session');

      // ---- the app survived, quietly ----
      assert.equal(app!.exit, undefined, 'the app process is still running');
      assert.ok(healthSeen.length > 50);
      assert.deepEqual(healthSeen.filter((h) => h.status !== 200 || h.ms > 1_000).slice(0, 3), [], '/health answered throughout');
      assert.deepEqual(app!.problems(), [], 'no unhandled rejection, uncaught exception or 500');

      // ---- no acknowledged write lost (AOF fsync always survives the SIGKILL) ----
      const acked = load.outcomes.filter((o) => o.status === 200).length;
      const missing = await load.missingAcknowledgedWrites();
      console.log(`#   acknowledged writes: ${acked}, missing afterwards: ${missing.length}`);
      assert.deepEqual(missing.slice(0, 5), []);
    });
  });
}
