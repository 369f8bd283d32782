/** holdfast/web csrf: the shared CSRF table over real HTTP. */
import { webCsrfFixture } from '../csrf/http/fixtures/web.ts';
import { runCsrfSuite } from '../csrf/http/suite.ts';

runCsrfSuite(webCsrfFixture);
