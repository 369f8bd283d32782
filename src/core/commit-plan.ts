/**
 * The shapes a commit moves through: the store write it decided on (and the cookie that write
 * calls for), and the plan an adapter applies to the response.
 */
import type { EncodedData, SessionMeta, SessionPatch, TouchMeta } from './store.ts';

/** What an adapter does with a commit: set this header (if any) once `done` resolves. */
export interface CommitPlan {
  /** Set-Cookie value this commit will send if the store acknowledges (undefined: no cookie). */
  readonly setCookie: string | undefined;
  /** Whether there is store work to wait for (false: apply `setCookie` and go on synchronously). */
  readonly pending: boolean;
  /** Resolves with the final Set-Cookie value once the store acknowledged; rejects with StoreError. */
  readonly done: Promise<string | undefined>;
}

/** What the response does with the session cookie. */
export type CookieAction = 'set' | 'clear' | 'none';

/**
 * A commit with store work in flight. A class, not an object literal with a getter: such a
 * literal costs ~0.3 µs to create, on every write and touch.
 */
export class PendingCommit implements CommitPlan {
  readonly pending = true;
  readonly done: Promise<string | undefined>;
  readonly #expected: () => string | undefined;

  constructor(done: Promise<string | undefined>, expected: () => string | undefined) {
    this.done = done;
    this.#expected = expected;
  }

  /** The cookie expected once the store acknowledges, signed on first use (streaming responses). */
  get setCookie(): string | undefined {
    return this.#expected();
  }
}

/** The one store write a commit (or save) makes, and the cookie action it calls for on success. */
export interface SetWrite {
  op: 'set';
  key: string;
  record: { meta: SessionMeta; data: EncodedData };
  now: number;
  cookie: 'set';
}
export interface PatchWrite {
  op: 'patch';
  key: string;
  patch: SessionPatch;
  cookie: CookieAction;
}
export interface TouchWrite {
  op: 'touch';
  key: string;
  meta: TouchMeta;
  cookie: 'set';
}
export type StoreWrite = SetWrite | PatchWrite | TouchWrite;

const RESOLVED_NONE: Promise<string | undefined> = Promise.resolve(undefined);

/** The plan of a response with no store work and no cookie (shared: plans are read-only). */
export const NOTHING_TO_DO: CommitPlan = Object.freeze({ setCookie: undefined, pending: false, done: RESOLVED_NONE });

/** A plan whose work is done: send `setCookie` (if any) now. */
export function settledPlan(setCookie: string | undefined): CommitPlan {
  return setCookie === undefined ? NOTHING_TO_DO : { setCookie, pending: false, done: Promise.resolve(setCookie) };
}

/** A plan whose write failed before anything was sent (a synchronous store threw). */
export function failedPlan(error: unknown): CommitPlan {
  return { setCookie: undefined, pending: true, done: Promise.reject(error) };
}
