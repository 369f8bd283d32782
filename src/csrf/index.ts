/**
 * holdfast/csrf: the framework-agnostic CSRF protection (Fetch Metadata, exact Origin check,
 * session-bound synchronizer tokens, a pre-session token for login forms). The middleware for
 * each framework comes from that framework's entry: `import { session, csrf } from 'holdfast/express'`.
 * See docs/csrf.md.
 */
export { decideCsrf, isSafeMethod, type CsrfDecision, type CsrfPolicy, type CsrfRequest, type CsrfReason } from './decide.ts';
export { CsrfGuard, CsrfCheck, type CsrfInput, type CsrfOutcome } from './guard.ts';
export { resolveCsrfOptions, type CsrfOptions, type ResolvedCsrfOptions } from './options.ts';
export { CsrfError } from './errors.ts';
export { withVary, VARY_VALUE } from './vary.ts';
export { PRE_SESSION_COOKIE_PLAIN, PRE_SESSION_COOKIE_SECURE } from './pre-session.ts';
export { PREVIOUS_KEY } from './rotation.ts';
