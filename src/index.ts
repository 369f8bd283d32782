/**
 * holdfast: secure server-side sessions for Node.js.
 * The engine, its types, errors and events. Adapters live at holdfast/express, holdfast/fastify, …
 */
export { createSessions, DEFAULT_SQLITE_PATH } from './create-sessions.ts';
export type { Sessions } from './core/sessions.ts';
export type { SessionOptions } from './core/options.ts';
export type { SessionInfo } from './core/engine-core.ts';
export type { Session, SessionApi, SessionData, LoginOptions, RegenerateOptions } from './core/session-types.ts';
export type { CookieOptions, SameSite, Priority } from './core/cookie-policy.ts';
export { noStoreCacheControl } from './core/cookie-policy.ts';
export { sessionStatus, extendSession, EXPIRES_HEADER, type SessionStatus } from './core/session-status.ts';
export { PASSIVE_HEADER } from './core/session-context.ts';
export type { Duration } from './core/duration.ts';
export { parseDuration } from './core/duration.ts';
export type { Logger } from './core/logger.ts';
export type {
  SessionEvent,
  SessionEventMap,
  SessionEventName,
  SessionEventBase,
  Listener as SessionEventListener,
  ExpiryReason,
  RejectReason,
  CsrfReason,
} from './core/events.ts';
export type {
  SessionStore,
  SessionRecord,
  SessionMeta,
  SessionPatch,
  TouchMeta,
  UserSessionEntry,
  EncodedData,
  EpochMs,
} from './core/store.ts';
export type { TrustProxyOption, TrustFn } from './core/trust-proxy.ts';
export {
  HoldfastError,
  ConfigError,
  StoreError,
  StoreTimeoutError,
  CorruptRecordError,
  RecordTooLargeError,
  SessionStateError,
} from './core/errors.ts';
export type { HoldfastErrorCode, StoreErrorCode } from './core/errors.ts';
