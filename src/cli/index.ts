#!/usr/bin/env node
/**
 * `holdfast` command.
 *   holdfast keygen [--bytes 32]   print a random signing secret (base64url)
 *   holdfast doctor <url> [...]    audit a live deployment (cookie, HSTS, TLS, redirect)
 *   holdfast sweep --store ...     delete expired session records once
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, UsageError } from './args.ts';
import { DOCTOR_FLAGS, DOCTOR_OPTIONS, doctor, doctorOptionsOf } from './doctor.ts';
import { exitCodeOf, formatFindings } from './doctor-findings.ts';
import { SWEEP_OPTIONS, sweep } from './sweep.ts';

const USAGE = `usage: holdfast <command>

commands:
  keygen [--bytes N]   print a random secret for the "secrets" option (default 32 bytes, base64url)
  doctor <url>         audit a live deployment: session cookie attributes, Secure behind a proxy,
                       Cache-Control on cookie responses, HSTS, TLS 1.0/1.1, http->https redirect
      --cookie-path P    a path that sets the session cookie (e.g. /login); a cookie is then required
      --cookie-name N    the session cookie's name (default __Host-sid or sid)
      --http-port N      port of the plain-http listener for the redirect check (default 80)
      --insecure         accept a self-signed certificate (test servers)
      --no-tls-versions  skip the TLS 1.0/1.1 handshakes
      --no-redirect      skip the http->https redirect check
      --timeout MS       per-request timeout (default 10000)
      --json             print the findings as JSON
                       exit 1 when a check fails, 0 otherwise (warnings included)
  sweep                delete expired session records once and print how many
      --store sqlite --path FILE
      --store postgres --url postgres://user@host/db [--schema S]
      --store mysql --url mysql://user@host/db
      --table T          table name (default holdfast_sessions)
  help                 this text

exit codes: 0 ok, 1 doctor found a problem or sweep failed, 2 bad usage
`;

export function keygen(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 1024) throw new RangeError('--bytes must be a whole number from 32 to 1024');
  return randomBytes(bytes).toString('base64url');
}

async function runDoctor(rest: readonly string[]): Promise<number> {
  const args = parseArgs(rest, DOCTOR_OPTIONS, DOCTOR_FLAGS);
  const { url, options } = doctorOptionsOf(args);
  const findings = await doctor(url, options);
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify({ url: url.href, findings }, null, 2)}\n` : formatFindings(findings));
  return exitCodeOf(findings);
}

async function runSweep(rest: readonly string[]): Promise<number> {
  const args = parseArgs(rest, SWEEP_OPTIONS, []);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  try {
    const removed = await sweep(args);
    process.stdout.write(`removed ${removed} expired session record${removed === 1 ? '' : 's'}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    process.stderr.write(`holdfast sweep: ${(error as Error).message}\n`);
    return 1;
  }
}

function usageFailure(error: unknown): number {
  if (error instanceof UsageError || error instanceof RangeError) {
    process.stderr.write(`holdfast: ${error.message}\n`);
    return 2;
  }
  throw error;
}

export function main(argv: readonly string[]): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'keygen') {
    const i = rest.indexOf('--bytes');
    try {
      process.stdout.write(`${keygen(i === -1 ? 32 : Number(rest[i + 1]))}\n`);
      return 0;
    } catch (error) {
      return usageFailure(error);
    }
  }
  if (command === 'doctor') return runDoctor(rest).catch(usageFailure);
  if (command === 'sweep') return runSweep(rest).catch(usageFailure);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`holdfast: unknown command "${command}"\n${USAGE}`);
  return 2;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  void Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
}
