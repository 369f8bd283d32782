/** Koa 3: the shared behaviour suite plus Koa-specific checks. */
import { koaFixture } from '../behaviour/fixtures/koa.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

runBehaviourSuite(koaFixture);
