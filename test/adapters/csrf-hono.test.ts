/** holdfast/hono csrf: the shared CSRF table over real HTTP. */
import { honoCsrfFixture } from '../csrf/http/fixtures/hono.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';

runCsrfSuite(honoCsrfFixture);
