/**
 * The HTTP behaviour suite every adapter runs against its AppFixture (see ./fixture.ts): real
 * servers, real requests, a counting MemoryStore (read synchronously, then through promises), a
 * frozen clock.
 *
 *   import { runBehaviourSuite } from '../behaviour/suite.ts';
 *   runBehaviourSuite(myFixture);
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cookieCases } from './cases/cookies.ts';
import { failureCases } from './cases/failures.ts';
import { fuzzCases } from './cases/fuzz.ts';
import { identityCases } from './cases/identity.ts';
import { streamingCases } from './cases/streaming.ts';
import { timeoutCases } from './cases/timeouts.ts';
import { writeCases } from './cases/writes.ts';
import type { AppFixture } from './fixture.ts';

export type { AppFixture } from './fixture.ts';

/** Every case runs twice: over a store that reads synchronously (MemoryStore, SqliteStore) and one that does not. */
export function runBehaviourSuite(fixture: AppFixture): void {
  for (const storeReads of ['sync', 'async'] as const) runSuite({ ...fixture, storeReads });
}

function runSuite(fixture: AppFixture): void {
  describe(`behaviour: ${fixture.name} (store reads: ${fixture.storeReads})`, () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    before(() => {
      process.on('unhandledRejection', onUnhandled);
    });
    after(() => {
      process.off('unhandledRejection', onUnhandled);
    });

    cookieCases(fixture);
    identityCases(fixture);
    writeCases(fixture);
    timeoutCases(fixture);
    failureCases(fixture);
    streamingCases(fixture);
    fuzzCases(fixture);

    it('no unhandled promise rejection during the suite', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    });
  });
}
