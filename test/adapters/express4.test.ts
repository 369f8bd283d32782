/** Express 4 (the `express4` alias of express@4): the shared behaviour suite plus Express-specific checks. */
import type { ExpressFactory } from '../behaviour/express-app.ts';
import { expressFixture } from '../behaviour/express-app.ts';
import { runExpressSpecific } from '../behaviour/express-specific.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

// express4 ships no type declarations; its API used here is the one @types/express describes.
const EXPRESS4: string = 'express4';
const express4 = ((await import(EXPRESS4)) as { default: ExpressFactory }).default;

const fixture = expressFixture('express 4', express4);
runBehaviourSuite(fixture);
runExpressSpecific('express 4', express4);
