/**
 * Token-mode audit events, in the shape of the session events (src/core/events.ts): time, client
 * IP, user ID, the family's handle (never a token or family ID) and a reason. Listeners run
 * synchronously; one that throws is logged and never breaks the call.
 */
import type { Logger } from '../core/logger.ts';

export interface TokenEventBase {
  /** Milliseconds since the epoch (the engine's clock). */
  time: number;
  /** Client address, when the caller passed one. */
  ip: string | undefined;
  userId: string | null;
  /** Handle of the refresh-token family (the access token's `sid`). */
  handle: string | undefined;
}

export type TokenRejectReason =
  | 'malformed'
  | 'bad-signature'
  | 'unknown-kid'
  | 'revoked-kid'
  | 'expired'
  | 'unknown-family'
  | 'revoked-family';

export interface TokenEventMap {
  issued: TokenEventBase;
  refreshed: TokenEventBase & { gen: number; grace: boolean };
  /** A refresh token was used again outside the grace rule: its family was revoked. */
  'token-reuse': TokenEventBase & { reason: 'replay' | 'grace-expired'; gen: number; currentGen: number };
  revoked: TokenEventBase & { reason: 'revoke' | 'revoke-user' | 'reuse' };
  expired: TokenEventBase & { reason: 'idle' | 'absolute' };
  rejected: TokenEventBase & { reason: TokenRejectReason; token: 'access' | 'refresh' };
}

export type TokenEventName = keyof TokenEventMap;
export type TokenListener<K extends TokenEventName> = (event: TokenEventMap[K] & { type: K }) => void;

const LEVEL: Readonly<Record<TokenEventName, 'info' | 'warn'>> = {
  issued: 'info',
  refreshed: 'info',
  'token-reuse': 'warn',
  revoked: 'info',
  expired: 'info',
  rejected: 'warn',
};

export class TokenEvents {
  readonly #listeners = new Map<TokenEventName, Set<(event: never) => void>>();
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  wants(type: TokenEventName): boolean {
    return this.#logger !== undefined || this.#listeners.has(type);
  }

  on<K extends TokenEventName>(type: K, listener: TokenListener<K>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => {
      set.delete(listener as (event: never) => void);
      if (set.size === 0 && this.#listeners.get(type) === set) this.#listeners.delete(type);
    };
  }

  emit<K extends TokenEventName>(type: K, event: TokenEventMap[K]): void {
    if (!this.wants(type)) return;
    const full = { type, ...event } as TokenEventMap[K] & { type: K };
    if (this.#logger !== undefined) this.#logger[LEVEL[type]]({ event: full }, `token ${type}`);
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as TokenListener<K>)(full);
      } catch (error) {
        (this.#logger ?? console).error?.({ err: error }, `holdfast: a "${type}" token event listener threw`);
      }
    }
  }
}
