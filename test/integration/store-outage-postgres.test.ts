/**
 * A PostgreSQL that fails under load. The app (holdfast/express + PostgresStore on a pg Pool,
 * storeTimeout 500 ms) runs in a child process; with 20 requests in flight at all times this
 * test kills the app's connections with pg_terminate_backend (again and again for a while), then
 * makes the store hang by holding an ACCESS EXCLUSIVE lock on the session table. Requirements:
 * - every request is answered: 200, or 503 within the store timeout — no hang, no 500;
 * - the app process never dies, keeps answering /health, and reports no unhandled rejection;
 * - afterwards requests succeed (the pool reconnects by itself);
 * - every write acknowledged with a 2xx is readable afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startApp, type AppProcess } from '../support/app-process.ts';
import { requireService } from '../support/services.ts';
import { Load, percentile, statusCounts, watchHealth } from './support/load.ts';

const STORE_TIMEOUT = 500;
const SLACK = 400;
const CONCURRENCY = 20;
const TAG = randomBytes(4).toString('hex');
const TABLE = `hf_it_outage_${TAG}`;
const APP_NAME = `hf-outage-${TAG}`;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

const pgUp = await requireService('PostgreSQL 127.0.0.1:5432', async () => {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('store outage under load: PostgreSQL', { skip: !pgUp && 'PostgreSQL is not running' }, () => {
  let admin: pg.Client | undefined;
  let app: AppProcess | undefined;

  before(async () => {
    admin = new pg.Client(PG);
    await admin.connect();
    app = await startApp('app', {
      HF_STORE: 'postgres',
      HF_PG_TABLE: TABLE,
      HF_PG_APP_NAME: APP_NAME,
      HF_SECRET: randomBytes(32).toString('base64url'),
      HF_STORE_TIMEOUT: String(STORE_TIMEOUT),
    });
  });

  after(async () => {
    await app?.stop();
    if (admin !== undefined) {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.query(`DROP TABLE IF EXISTS "${TABLE}"`);
      await admin.end();
    }
  });

  const terminateApp = async (): Promise<number> => {
    const { rows } = await admin!.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [APP_NAME]);
    return rows.length;
  };

  it('fails fast or succeeds while its connections are killed or blocked, recovers, loses no acknowledged write', async () => {
    const cookies = await Load.signIn(app!, 5, TAG);
    const load = new Load(app!, cookies);
    const health = watchHealth(app!);
    load.start(CONCURRENCY, 5_000);
    await sleep(1_500);

    // Kill every connection of the app, again and again, for 1.5 s.
    load.phase = 'terminating';
    let killed = 0;
    for (const stopAt = performance.now() + 1_500; performance.now() < stopAt; ) {
      killed += await terminateApp();
      await sleep(50);
    }
    load.phase = 'after-terminating';
    await sleep(1_000);

    // A store that hangs: the session table is locked, every statement waits.
    load.phase = 'locked';
    await admin!.query('BEGIN');
    await admin!.query(`LOCK TABLE "${TABLE}" IN ACCESS EXCLUSIVE MODE`);
    await sleep(1_500);
    // Kill the blocked connections too, then let go.
    killed += await terminateApp();
    await admin!.query('ROLLBACK');
    load.phase = 'unlocked';
    await sleep(1_000);

    load.phase = 'recovered';
    await sleep(2_000);
    await load.stop();
    const healthSeen = await health.stop();

    const phases = ['warmup', 'terminating', 'after-terminating', 'locked', 'unlocked', 'recovered'];
    console.log(`# PostgreSQL outage (${CONCURRENCY} concurrent, storeTimeout ${STORE_TIMEOUT} ms, ${killed} backends terminated):`);
    for (const phase of phases) {
      const outcomes = load.of(phase);
      const failed = outcomes.filter((o) => o.status === 503).map((o) => o.ms);
      const row = { phase, counts: statusCounts(outcomes), p50_503: Math.round(percentile(failed, 50)), max_503: Math.round(Math.max(0, ...failed)) };
      console.log(`#   ${JSON.stringify(row)}`);
    }

    assert.ok(killed > 0, 'the app had connections to kill');
    const transportErrors = load.outcomes.filter((o) => o.status === 'error');
    assert.deepEqual(transportErrors.slice(0, 3), [], `${transportErrors.length} requests hung or were reset`);
    assert.deepEqual(load.outcomes.filter((o) => o.status !== 200 && o.status !== 503).slice(0, 3), [], 'only 200 or 503');
    const slow503 = load.outcomes.filter((o) => o.status === 503 && o.ms > STORE_TIMEOUT + SLACK);
    assert.deepEqual(slow503.slice(0, 3), [], `every 503 within storeTimeout + ${SLACK} ms`);
    assert.deepEqual(load.of('warmup').filter((o) => o.status !== 200).slice(0, 3), [], 'all good before');
    assert.ok(load.of('locked').some((o) => o.status === 503), 'a blocked store gives 503s');
    const recovered = load.of('recovered');
    assert.ok(recovered.length > 50, `load ran after recovery (${recovered.length} requests)`);
    assert.deepEqual(recovered.filter((o) => o.status !== 200).slice(0, 3), [], 'all good afterwards');
    assert.deepEqual(load.outcomes.filter((o) => o.cookieChanged).slice(0, 3), [], 'a store failure never swaps the session');

    assert.equal(app!.exit, undefined, 'the app process is still running');
    assert.ok(healthSeen.length > 50);
    assert.deepEqual(healthSeen.filter((h) => h.status !== 200 || h.ms > 1_000).slice(0, 3), [], '/health answered throughout');
    assert.deepEqual(app!.problems(), [], 'no unhandled rejection, uncaught exception or 500');

    const acked = load.outcomes.filter((o) => o.status === 200).length;
    const missing = await load.missingAcknowledgedWrites();
    console.log(`#   acknowledged writes: ${acked}, missing afterwards: ${missing.length}`);
    assert.deepEqual(missing.slice(0, 5), []);
  });
});
