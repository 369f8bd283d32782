/** Timeout rules, applied to a record's own metadata (store TTLs are only a cleanup aid). */
import type { ExpiryReason } from './events.ts';
import type { SessionMeta } from './store.ts';

export interface Timeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly anonymousMs: number;
}

/** The idle limit that applies to this record: shorter before login. */
export function idleLimitOf(meta: SessionMeta, t: Timeouts): number {
  return meta.userId === null ? t.anonymousMs : t.idleMs;
}

/** When this record dies if nothing happens: the earlier of idle and absolute expiry. */
export function expiryOf(meta: SessionMeta, t: Timeouts): number {
  return Math.min(meta.touchedAt + idleLimitOf(meta, t), meta.createdAt + t.absoluteMs);
}

/** Why this record is dead at `now`, or undefined while it lives. */
export function expiredReason(meta: SessionMeta, now: number, t: Timeouts): ExpiryReason | undefined {
  if (now >= meta.createdAt + t.absoluteMs) return 'absolute';
  if (now >= meta.touchedAt + idleLimitOf(meta, t) || now >= meta.expiresAt) {
    return meta.userId === null ? 'anonymous' : 'idle';
  }
  return undefined;
}
