/** holdfast/fastify csrf: the shared CSRF table over real HTTP. */
import { fastifyCsrfFixture } from '../csrf/http/fixtures/fastify.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';

runCsrfSuite(fastifyCsrfFixture);
