#!/usr/bin/env node
/**
 * `holdfast` command.
 *   holdfast keygen [--bytes 32]   print a random signing secret (base64url)
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const USAGE = `usage: holdfast <command>

commands:
  keygen [--bytes N]   print a random secret for the "secrets" option (default 32 bytes, base64url)
  help                 this text
`;

export function keygen(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 1024) throw new RangeError('--bytes must be a whole number from 32 to 1024');
  return randomBytes(bytes).toString('base64url');
}

export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === 'keygen') {
    const i = rest.indexOf('--bytes');
    try {
      process.stdout.write(`${keygen(i === -1 ? 32 : Number(rest[i + 1]))}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`holdfast: ${(error as Error).message}\n`);
      return 2;
    }
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`holdfast: unknown command "${command}"\n${USAGE}`);
  return 2;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
