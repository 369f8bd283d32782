/**
 * Error classes with stable codes (as in jose). Two channels:
 * - `ConfigError` is thrown at construction: the message says what is wrong and how to fix it.
 * - Request-time failures of the *client* (bad signature, unknown or expired session) never throw;
 *   they collapse into "no session" plus a `rejected` / `expired` event.
 * - Failures of the *server side* (a store that is down, slow or returns garbage) reject with a
 *   `StoreError` carrying `status = 503`, which adapters send through the framework's error path.
 * Messages never contain a session ID, a store key or a secret.
 */

/** Every `code` a holdfast error can carry. Stable: match on these, never on messages. */
export type HoldfastErrorCode =
  | 'ERR_HOLDFAST'
  | 'ERR_HOLDFAST_CONFIG'
  | 'ERR_HOLDFAST_STORE'
  | 'ERR_HOLDFAST_STORE_CORRUPT'
  | 'ERR_HOLDFAST_STORE_TIMEOUT'
  | 'ERR_HOLDFAST_RECORD_TOO_LARGE'
  | 'ERR_HOLDFAST_SESSION_STATE'
  | 'ERR_HOLDFAST_TOKEN_CLAIMS'
  | 'ERR_HOLDFAST_NO_SIGNING_KEY'
  | 'ERR_HOLDFAST_CSRF'
  | 'ERR_HOLDFAST_USAGE';

/** The codes of a StoreError and its subclasses. */
export type StoreErrorCode = Extract<HoldfastErrorCode, `ERR_HOLDFAST_STORE${string}`>;

export class HoldfastError extends Error {
  /** Stable machine-readable code. */
  readonly code: HoldfastErrorCode = 'ERR_HOLDFAST';
  /** HTTP status an adapter should answer with when this reaches the error handler. */
  readonly status: number = 500;
  /** Whether the message is safe to show a client. */
  readonly expose: boolean = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Misconfiguration, thrown at construction time. */
export class ConfigError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_CONFIG';
}

/** The session store failed, timed out or returned something unusable. Answer 503. */
export class StoreError extends HoldfastError {
  override readonly code: StoreErrorCode = 'ERR_HOLDFAST_STORE';
  override readonly status = 503;
  /** statusCode too, for frameworks (Express finalhandler, Fastify) that read that name. */
  readonly statusCode = 503;
}

/** A store returned a record it cannot have written (garbage): that one session is treated as absent. */
export class CorruptRecordError extends StoreError {
  override readonly code = 'ERR_HOLDFAST_STORE_CORRUPT';
}

/** A store call did not settle within `storeTimeout`. */
export class StoreTimeoutError extends StoreError {
  override readonly code = 'ERR_HOLDFAST_STORE_TIMEOUT';
}

/** A record is larger than the store accepts. */
export class RecordTooLargeError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_RECORD_TOO_LARGE';
  override readonly status = 500;
}

/** A session method was used in a state where it cannot work (e.g. after `destroy()`). */
export class SessionStateError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_SESSION_STATE';
}
