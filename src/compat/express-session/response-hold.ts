/**
 * Holding a response until the session is committed: res.writeHead and res.end are replaced so
 * that the Set-Cookie header is decided at the last moment, and the end waits until the store
 * calls the app started (save, destroy... without waiting for them) have answered and the
 * commit's own store write has been acknowledged. On failure the prepared response is dropped and
 * the error goes to next(err); once the status line is out, the response is cut short instead.
 */
import type { ServerResponse } from 'node:http';
import { applySessionCookie } from '../../adapters/node/response-headers.ts';
import { takeWriteHeadHeaders } from './on-headers.ts';
import type { Config } from './options.ts';
import type { Next } from './session-req.ts';
import { callStore, type StoreCallback, type StoreOp } from './store-call.ts';

/** What the hold asks of the request's session. */
export interface HoldHost {
  readonly next: Next;
  /** The Set-Cookie value when the handler writes the head itself (undefined for none). */
  headerAtWriteHead(): string | undefined;
  /** The handler ended the response and no app store call is running: save/touch/destroy, then finish() or fail(). */
  commit(endArgs: unknown[]): void;
}

type Fn = (...args: unknown[]) => unknown;
const kHold = Symbol('holdfast.express-session.response');
type HookedResponse = ServerResponse & { [kHold]?: ResponseHold };

export class ResponseHold {
  readonly #res: ServerResponse;
  readonly #host: HoldHost;
  readonly #cfg: Config;
  #hooked = false;
  #headersDone = false;
  #ended = false;
  #inflight = 0;
  #whenIdle: (() => void) | undefined;
  #end: Fn | undefined;
  #writeHead: Fn | undefined;

  constructor(res: ServerResponse, host: HoldHost, cfg: Config) {
    this.#res = res;
    this.#host = host;
    this.#cfg = cfg;
  }

  /*
   * res.end / res.writeHead are replaced by these two shared functions, which find the request's
   * hold through a symbol on the response. One function object for every response keeps V8's
   * view of ServerResponse stable; a fresh closure per request costs several µs per request.
   */
  static readonly #writeHeadHook = function (this: HookedResponse, ...args: unknown[]): unknown {
    const hold = this[kHold] as ResponseHold;
    const pass = takeWriteHeadHeaders(this, args);
    if (!hold.#headersDone) {
      hold.#headersDone = true;
      try {
        applySessionCookie(this, hold.#host.headerAtWriteHead());
      } catch (error) {
        setImmediate(hold.#host.next, error);
      }
    }
    return (hold.#writeHead as Fn).apply(this, pass);
  };

  static readonly #endHook = function (this: HookedResponse, ...args: unknown[]): HookedResponse {
    const hold = this[kHold] as ResponseHold;
    if (hold.#ended) return this;
    hold.#ended = true;
    const host = hold.#host;
    if (hold.#inflight > 0) hold.#whenIdle = () => host.commit(args);
    else host.commit(args);
    return this;
  };

  /** Replace res.writeHead and res.end (once). */
  hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    const res = this.#res as HookedResponse;
    this.#end = res.end as unknown as Fn;
    this.#writeHead = res.writeHead as unknown as Fn;
    res[kHold] = this;
    res.writeHead = ResponseHold.#writeHeadHook as ServerResponse['writeHead'];
    res.end = ResponseHold.#endHook as ServerResponse['end'];
  }

  /** A store call started by the app: the end of the response waits for it. */
  call(op: StoreOp, args: unknown[], done: StoreCallback): void {
    this.#inflight++;
    callStore(this.#cfg.store, op, args, this.#cfg.storeTimeoutMs, (err, value) => {
      this.#inflight--;
      try {
        done(err, value);
      } finally {
        if (this.#inflight === 0 && this.#whenIdle !== undefined) {
          const resume = this.#whenIdle;
          this.#whenIdle = undefined;
          resume();
        }
      }
    });
  }

  /** True (once) when the commit is the one to decide the Set-Cookie: the head is not out yet. */
  claimHeaders(): boolean {
    if (this.#headersDone || this.#res.headersSent) return false;
    this.#headersDone = true;
    return true;
  }

  /** Let the response go: the header, then the handler's own res.end(...). */
  finish(header: string | undefined, endArgs: unknown[]): void {
    applySessionCookie(this.#res, header);
    (this.#end as Fn).apply(this.#res, endArgs);
  }

  /** The commit failed: give res.end/writeHead back, and hand the error to next(err). */
  fail(error: unknown): void {
    const res = this.#res;
    res.end = this.#end as unknown as ServerResponse['end'];
    res.writeHead = this.#writeHead as unknown as ServerResponse['writeHead'];
    // Once the status line is out the failure cannot become a 503: cut the response short
    // rather than let the client believe a write that did not happen.
    if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
    this.#host.next(error);
  }
}
