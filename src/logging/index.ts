/**
 * holdfast/logging: name sessions by handle in request logs, keep credentials out of them, and
 * read engine events in the OWASP Logging Vocabulary. See docs/logging.md.
 */
export { CENSOR, REDACT_PATHS, SENSITIVE_HEADERS, scrubHeaders, scrubRequest, scrubResponse } from './redact.ts';
export { handleOfSession, sessionHandleOf, sessionProps, sessionSerializer } from './session-fields.ts';
export { guardedRequestHeader, guardedResponseHeader, registerMorganTokens, sessionToken } from './morgan.ts';
export type { MorganTokenFn, MorganTokenOptions, MorganTokenRegistry } from './morgan.ts';
export { pinoOptions } from './pino-options.ts';
export type { HoldfastPinoOptions } from './pino-options.ts';
export { auditLineOf, auditRecordOf, vocabularyArg } from '../core/audit-vocabulary.ts';
export type { AuditLine } from '../core/audit-vocabulary.ts';
