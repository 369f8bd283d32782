/** Hono 4 on @hono/node-server: the shared behaviour suite plus Hono-specific checks. */
import { honoFixture } from '../behaviour/fixtures/hono.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

runBehaviourSuite(honoFixture);
