/**
 * What the application sees as `req.session` (Express), `request.session` (Fastify),
 * `ctx.session` (Koa), `c.get('session')` (Hono).
 *
 * Type your data by declaration merging:
 * ```ts
 * declare module 'holdfast' {
 *   interface SessionData { cart: string[]; theme: 'dark' | 'light' }
 * }
 * ```
 */
import type { Duration } from './duration.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

export interface LoginOptions {
  /** Carry the anonymous session's data (a cart, a return URL) over to the new ID. Default true. */
  keepData?: boolean;
}

export interface RegenerateOptions {
  /** Keep the data under the new ID. Default true. */
  keepData?: boolean;
}

export interface SessionApi {
  /** The raw session ID (a bearer secret: never log it). Generated on first use for a new session. */
  readonly id: string;
  /** Short non-secret name of this session for logs and "your devices" listings. */
  readonly handle: string;
  /** True until the session has been stored. */
  readonly isNew: boolean;
  /** The signed-in user, or null. Change it with login() / logout(). */
  readonly userId: string | null;
  /** When the user last authenticated (ms since the epoch), or null. */
  readonly authAt: number | null;
  /** When this session lineage began (the absolute timeout counts from here). */
  readonly createdAt: number;
  /** When the session expires if nothing else happens (ms since the epoch). */
  readonly expiresAt: number;
  /** Sign a user in: new ID (no fixation), old record gone, user and auth time recorded. */
  login(userId: string | number, options?: LoginOptions): Promise<void>;
  /** Sign out: the record is removed and the cookie cleared; the session object starts afresh. */
  logout(): Promise<void>;
  /**
   * New ID, same user; data kept unless `{ keepData: false }`. Reads the record first (one store
   * call): if it was revoked, logged out or expired meanwhile, the session starts afresh instead.
   */
  regenerate(options?: RegenerateOptions): Promise<void>;
  /** Remove the session and clear the cookie (like logout, reported as `destroyed`). */
  destroy(): Promise<void>;
  /** Extend the idle expiry on this response even if touchAfter has not passed. */
  touch(): Promise<void>;
  /** Write pending changes now rather than at the end of the request. */
  save(): Promise<void>;
  /** Re-read the session from the store, dropping unsaved changes. */
  reload(): Promise<void>;
  /** Whether the user authenticated within `maxAge` (for re-authentication before sensitive actions). */
  isFresh(maxAge: Duration): boolean;
  /** Plain copy of the data (no ID), for logging or templates. */
  toJSON(): Record<string, unknown>;
}

/** The session object: your data as properties plus the API. */
export type Session<Data extends object = SessionData> = SessionApi & Partial<Data>;

/** Property names the API owns; assigning one throws a TypeError. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'id', 'handle', 'isNew', 'userId', 'authAt', 'createdAt', 'expiresAt',
  'login', 'logout', 'regenerate', 'destroy', 'touch', 'save', 'reload', 'isFresh', 'toJSON', 'then',
]);
