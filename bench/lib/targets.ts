/**
 * The performance targets the issues set, as data. Each is checked against the run's medians and
 * printed beside the table (✓ / ✗, or "–" when one side was not measured).
 */
import type { Scenario } from './types.ts';

export type Target =
  /**
   * median req/s of `variant` ÷ median req/s of `against` (same scenario; a bare variant's single
   * run) ≥ min. `issuePeerVsBare`: where `against` is a peer library, how fast the issue measured it
   * relative to the bare framework; the report sets it beside this run's figure, because a ratio to
   * a peer means something else when the peer runs faster or slower here than it did there.
   */
  | { issue: number; kind: 'ratio'; variant: string; scenario: Scenario; against: string; min: number; text: string; issuePeerVsBare?: number }
  /** median p99 of `variant` < median p99 of `against` */
  | { issue: number; kind: 'p99-below'; variant: string; scenario: Scenario; against: string; text: string }
  /** Redis: top-level commands per request ≤ max (MONITOR pass) */
  | { issue: number; kind: 'redis-commands'; variant: string; scenario: Scenario; max: number; text: string }
  /** Redis: write commands per request ≤ max (INFO commandstats, script-inner calls included) */
  | { issue: number; kind: 'redis-writes'; variant: string; scenario: Scenario; max: number; text: string };

const HF_MEM = 'holdfast-express-memory';
const HF_SQLITE = 'holdfast-express-sqlite';
const ES_MEM = 'express-session-memory';
const HF_REDIS = 'holdfast-express-redis';
const ES_REDIS = 'express-session-connect-redis';

export const TARGETS: readonly Target[] = [
  // Issue 2: the foundation.
  { issue: 2, kind: 'ratio', variant: HF_MEM, scenario: 'read', against: ES_MEM, min: 2, text: 'holdfast+Memory read-only vs express-session ≥ 2×', issuePeerVsBare: 0.39 },
  { issue: 2, kind: 'ratio', variant: HF_MEM, scenario: 'read', against: 'express', min: 0.8, text: 'holdfast+Memory read-only vs bare Express ≥ 0.8×' },
  { issue: 2, kind: 'ratio', variant: HF_MEM, scenario: 'anonymous', against: 'express', min: 0.95, text: 'holdfast+Memory anonymous vs bare Express ≥ 0.95×' },
  { issue: 2, kind: 'ratio', variant: HF_MEM, scenario: 'write', against: ES_MEM, min: 1.5, text: 'holdfast+Memory write vs express-session ≥ 1.5×', issuePeerVsBare: 0.4 },
  { issue: 2, kind: 'ratio', variant: HF_SQLITE, scenario: 'read', against: ES_MEM, min: 1.5, text: 'holdfast+SQLite read-only vs express-session+Memory ≥ 1.5×', issuePeerVsBare: 0.39 },
  // Issue 3: shared stores.
  { issue: 3, kind: 'ratio', variant: HF_REDIS, scenario: 'read', against: ES_REDIS, min: 2, text: 'holdfast+Redis read-only vs express-session+connect-redis ≥ 2×', issuePeerVsBare: 0.28 },
  { issue: 3, kind: 'ratio', variant: HF_REDIS, scenario: 'read', against: 'express', min: 0.6, text: 'holdfast+Redis read-only vs bare Express ≥ 0.6×' },
  { issue: 3, kind: 'redis-commands', variant: HF_REDIS, scenario: 'read', max: 1, text: 'holdfast+Redis read-only: 1 command per request' },
  { issue: 3, kind: 'redis-writes', variant: HF_REDIS, scenario: 'read', max: 0, text: 'holdfast+Redis read-only: 0 writes per request' },
  { issue: 3, kind: 'ratio', variant: HF_REDIS, scenario: 'write', against: ES_REDIS, min: 1.5, text: 'holdfast+Redis write vs express-session+connect-redis ≥ 1.5×' },
  { issue: 3, kind: 'p99-below', variant: HF_REDIS, scenario: 'read', against: ES_REDIS, text: 'holdfast+Redis read-only p99 below express-session+connect-redis' },
  { issue: 3, kind: 'p99-below', variant: HF_REDIS, scenario: 'write', against: ES_REDIS, text: 'holdfast+Redis write p99 below express-session+connect-redis' },
  // Issue 4: every framework, and the drop-in.
  { issue: 4, kind: 'ratio', variant: 'holdfast-fastify', scenario: 'read', against: 'fastify-session', min: 2, text: 'Fastify+holdfast read-only vs @fastify/session ≥ 2×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-fastify', scenario: 'write', against: 'fastify-session', min: 1.5, text: 'Fastify+holdfast write vs @fastify/session ≥ 1.5×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-fastify', scenario: 'anonymous', against: 'fastify', min: 0.9, text: 'Fastify+holdfast anonymous vs bare Fastify ≥ 0.9×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-koa', scenario: 'read', against: 'koa-session', min: 2, text: 'Koa+holdfast read-only vs koa-session ≥ 2×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-koa', scenario: 'write', against: 'koa-session', min: 1.5, text: 'Koa+holdfast write vs koa-session ≥ 1.5×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-koa', scenario: 'anonymous', against: 'koa', min: 0.9, text: 'Koa+holdfast anonymous vs bare Koa ≥ 0.9×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-express-session-dropin', scenario: 'read', against: ES_MEM, min: 1.5, text: 'drop-in read-only vs express-session ≥ 1.5×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-express-session-dropin', scenario: 'write', against: ES_MEM, min: 1.5, text: 'drop-in write vs express-session ≥ 1.5×' },
  { issue: 4, kind: 'ratio', variant: 'holdfast-express-session-dropin', scenario: 'anonymous', against: ES_MEM, min: 1.5, text: 'drop-in anonymous vs express-session ≥ 1.5×' },
];
