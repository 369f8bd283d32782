/** holdfast/koa csrf: the shared CSRF table over real HTTP. */
import { koaCsrfFixture } from '../csrf/http/fixtures/koa.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';

runCsrfSuite(koaCsrfFixture);
