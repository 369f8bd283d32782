/** holdfast/web (Request/Response): the shared behaviour suite plus web-specific checks. */
import { webFixture } from '../behaviour/fixtures/web.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

runBehaviourSuite(webFixture);
