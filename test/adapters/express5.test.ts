/** Express 5: the shared behaviour suite plus Express-specific checks. */
import express from 'express';
import { expressFixture } from '../behaviour/express-app.ts';
import { runExpressSpecific } from '../behaviour/express-specific.ts';
import { runBehaviourSuite } from '../behaviour/suite.ts';

const fixture = expressFixture('express 5', express);
runBehaviourSuite(fixture);
runExpressSpecific('express 5', express);
