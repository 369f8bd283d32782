/**
 * What a benchmark variant is: one server, described as data. Each file in bench/variants/ exports
 * a `Variant` as default and, when run directly (`node bench/variants/x.ts read`), serves it and
 * prints `PORT <n>` on stdout. The runner (bench/run.ts) reads the metadata, spawns the file pinned
 * to a core, and drives it with autocannon.
 */

/** anonymous: no cookie, route never touches the session. read: valid cookie, route reads a value.
 * write: valid cookie, route increments a counter in the session on every request. */
export type Scenario = 'anonymous' | 'read' | 'write';
export const SCENARIOS: readonly Scenario[] = ['anonymous', 'read', 'write'];
export const SCENARIO_LABEL: Record<Scenario, string> = { anonymous: 'anonymous', read: 'read-only', write: 'write' };

/** Which group of variants a default run includes (`--suite`). */
export type Suite = 'core' | 'stores' | 'frameworks' | 'extra';
export const DEFAULT_SUITES: readonly Suite[] = ['core', 'stores'];

export type Service = 'redis' | 'postgres' | 'mysql';

export interface Running {
  port: number;
  /** Close the server and anything it opened (store, client, temp files). */
  close(): Promise<void>;
}

/** Connection details the runner hands the server child through the environment. */
export interface BenchEnv {
  redisUrl: string;
  postgresUrl: string;
  mysqlUrl: string;
  /** A fresh temp directory for this server (SQLite files); removed by the runner afterwards. */
  tmpDir: string;
  secret: string;
}

export interface Variant {
  /** Stable id, used by --only, peer/bare references and results JSON. */
  name: string;
  /** What the table prints. */
  label: string;
  suite: Suite;
  /**
   * bare = no sessions at all (the ceiling); peer = the library people use today; holdfast = ours;
   * floor = the framework plus only the store round trips any session needs (no session logic):
   * how far a ratio to the peer can go on this machine at all.
   */
  role: 'bare' | 'peer' | 'holdfast' | 'floor';
  /** Scenarios this variant is measured on. A bare variant runs 'anonymous' once: it ignores cookies. */
  scenarios: readonly Scenario[];
  /** Variant the "vs peer" ratio divides by (same scenario). */
  peer?: string;
  /** Bare-framework variant the "vs bare" ratio divides by. */
  bare?: string;
  /** Holdfast files that must exist; when one is missing the variant is skipped with a note. */
  needsFiles?: readonly string[];
  /** Services the server talks to; Redis variants also get commands-per-request figures. */
  services?: readonly Service[];
  start(scenario: Scenario, env: BenchEnv): Promise<Running>;
}

export function defineVariant(variant: Variant): Variant {
  return variant;
}
