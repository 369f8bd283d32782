/** Durations: milliseconds as a number, or a string such as '500ms', '30s', '30m', '12h', '7d', '2w'. */
import { ConfigError } from './errors.ts';

export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;

/** Parse a duration option into whole milliseconds; throws ConfigError naming the option. */
export function parseDuration(name: string, value: Duration): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && Math.round(value) >= 1) return Math.round(value);
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match !== null) {
      const ms = Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] as number);
      if (Number.isFinite(ms) && Math.round(ms) >= 1) return Math.round(ms);
    }
  }
  throw new ConfigError(
    `${name} must be a positive number of milliseconds or a string like '30m', '12h', '7d' (got ${describe(value)})`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return typeof value === 'number' ? String(value) : typeof value;
}
