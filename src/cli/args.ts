/** A small `--name value` / `--flag` argument reader for the holdfast command. */
import { HoldfastError } from '../core/errors.ts';

/** Bad command-line usage: the CLI prints the message and exits 2. */
export class UsageError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_USAGE';
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** Splits argv by the given flag names (no value) and value options; unknown `--x` is a UsageError. */
export function parseArgs(argv: readonly string[], valueOptions: readonly string[], flagNames: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (flagNames.includes(name) && eq === -1) {
      flags.add(name);
    } else if (valueOptions.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, options, flags };
}
