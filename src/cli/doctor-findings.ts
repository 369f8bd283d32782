/** What `holdfast doctor` reports: one finding per check, with what to change. */

export type FindingStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Finding {
  /** Stable identifier, e.g. `cookie.secure`. */
  id: string;
  status: FindingStatus;
  /** What was found, in one sentence. */
  message: string;
  /** What to change (absent on a pass). */
  fix?: string;
}

export function finding(id: string, status: FindingStatus, message: string, fix?: string): Finding {
  return fix === undefined ? { id, status, message } : { id, status, message, fix };
}

const MARK: Readonly<Record<FindingStatus, string>> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** Human-readable report, one finding per line and its fix indented below. */
export function formatFindings(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${MARK[f.status]}  ${f.id}: ${f.message}`);
    if (f.fix !== undefined) lines.push(`      fix: ${f.fix}`);
  }
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  lines.push('', `${count('fail')} failed, ${count('warn')} warnings, ${count('pass')} passed, ${count('skip')} not tested`);
  return `${lines.join('\n')}\n`;
}

/** Exit code: 1 when anything failed, else 0. */
export function exitCodeOf(findings: readonly Finding[]): number {
  return findings.some((f) => f.status === 'fail') ? 1 : 0;
}
