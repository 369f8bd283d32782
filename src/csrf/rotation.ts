/**
 * The previous binding after a session rotation. When login() / regenerate() moves a stored
 * session to a new ID, the engine calls the context's rotation hook; holdfast/csrf's hook keeps
 * `{ key: <previous store key>, at: <time> }` in the session's data under PREVIOUS_KEY (a store
 * key is a hash, the record it named is gone). For `rotationGrace` after `at`, a token bound to
 * the previous key still counts: a form rendered before login, submitted from another tab.
 */
import type { RotationHook, SessionContext } from '../core/session-context.ts';

/** Reserved-looking data key; visible in `session.toJSON()`. */
export const PREVIOUS_KEY = 'holdfast:csrf-previous';

interface PreviousBinding {
  key: string;
  at: number;
}

export const recordRotation: RotationHook = (ctx, previousKey, now) => {
  ctx.assign(PREVIOUS_KEY, { key: previousKey, at: now } satisfies PreviousBinding);
};

/** The previous store key while it is in grace, else undefined. */
export function previousKeyOf(ctx: SessionContext, now: number, graceMs: number): string | undefined {
  if (graceMs <= 0 || !ctx.has(PREVIOUS_KEY)) return undefined;
  const value = (ctx.session as unknown as Record<string, unknown>)[PREVIOUS_KEY] as Partial<PreviousBinding> | null | undefined;
  if (value === null || typeof value !== 'object' || typeof value.key !== 'string' || typeof value.at !== 'number') return undefined;
  return now - value.at <= graceMs && now >= value.at ? value.key : undefined;
}
