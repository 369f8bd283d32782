/** Fastify 5: the shared behaviour suite plus Fastify-specific checks. */
import { fastifyFixture } from '../behaviour/fixtures/fastify.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

runBehaviourSuite(fastifyFixture);
