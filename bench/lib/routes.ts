/**
 * The same four routes in every variant, so only the session layer differs:
 *   GET /anonymous  never touches the session
 *   GET /read       reads `count` from the session
 *   GET /write      increments `count` in the session
 *   GET /__setup    creates the session (count = 0); the runner calls it once before measuring
 * Bodies are tiny text so the runner can check a variant really found its session.
 */
import type { Scenario } from './types.ts';

export const PATHS: Record<Scenario | 'setup', string> = {
  anonymous: '/anonymous',
  read: '/read',
  write: '/write',
  setup: '/__setup',
};

/** The part of a session object the routes use. */
export interface Bag {
  count?: unknown;
}

export const anonymousBody = (): string => 'ok';

export function readBody(bag: Bag): string {
  return typeof bag.count === 'number' ? `count=${bag.count}` : 'count=none';
}

export function writeBody(bag: Bag): string {
  const next = (typeof bag.count === 'number' ? bag.count : 0) + 1;
  bag.count = next;
  return `count=${next}`;
}

export function setupBody(bag: Bag): string {
  bag.count = 0;
  return 'count=0';
}
