/** Command-line flags of `npm run bench` (`node bench/run.ts`). */
import { parseArgs } from 'node:util';
import { DEFAULT_SUITES, type Suite } from './types.ts';

export interface BenchArgs {
  /** Measured seconds per run. */
  duration: number;
  warmup: number;
  runs: number;
  connections: number;
  pipelining: number;
  only?: RegExp;
  suites: ReadonlySet<Suite>;
  /** Also run the peer and bare variants the selected ones are compared to. */
  deps: boolean;
  json: string;
  list: boolean;
  help: boolean;
}

export const USAGE = `npm run bench -- [flags]      (node bench/run.ts [flags])

  --duration <s>     measured seconds per run (default 5)
  --quick            2 s runs and a 1 s warm-up
  --warmup <s>       warm-up seconds per server, not measured (default 2)
  --runs <n>         measured runs per variant and scenario; the median is reported (default 3)
  --connections <n>  autocannon connections (default 10)
  --pipelining <n>   autocannon pipelining (default 1)
  --suite <list>     core, stores, frameworks, extra or all, comma-separated
                     (default core,stores: issues 2 and 3, about 6 minutes)
  --only <regex>     only variants whose name or label matches (with the peer and bare
                     variants they are compared to, unless --no-deps)
  --no-deps          do not add the peer / bare variants of the selection
  --json <file>      where to write the results (default bench/results/latest.json)
  --list             list the variants and exit`;

const SUITES: readonly Suite[] = ['core', 'stores', 'frameworks', 'extra'];

function positive(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], defaultJson: string): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      suite: { type: 'string' },
      only: { type: 'string' },
      'no-deps': { type: 'boolean', default: false },
      json: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const quick = values.quick === true;
  let suites: Set<Suite>;
  if (values.suite === undefined) suites = new Set(DEFAULT_SUITES);
  else if (values.suite === 'all') suites = new Set(SUITES);
  else {
    suites = new Set();
    for (const part of values.suite.split(',').map((s) => s.trim())) {
      const suite = SUITES.find((s) => s === part);
      if (suite === undefined) throw new Error(`--suite: unknown suite ${JSON.stringify(part)}; use ${SUITES.join(', ')} or all`);
      suites.add(suite);
    }
  }
  return {
    duration: positive('duration', values.duration, quick ? 2 : 5),
    warmup: positive('warmup', values.warmup, quick ? 1 : 2),
    runs: positive('runs', values.runs, 3, true),
    connections: positive('connections', values.connections, 10, true),
    pipelining: positive('pipelining', values.pipelining, 1, true),
    only: values.only === undefined ? undefined : new RegExp(values.only),
    // --only picks across every suite unless --suite was given too.
    suites: values.only !== undefined && values.suite === undefined ? new Set(SUITES) : suites,
    deps: values['no-deps'] !== true,
    json: values.json ?? defaultJson,
    list: values.list === true,
    help: values.help === true,
  };
}
