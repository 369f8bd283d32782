/** `Vary` for responses whose CSRF decision read `Origin` and `Sec-Fetch-Site` (unsafe methods). */
export const VARY_VALUE = 'Origin, Sec-Fetch-Site';

const NAMES = ['Origin', 'Sec-Fetch-Site'];

/** `existing` plus Origin and Sec-Fetch-Site, each once (case-insensitive); `*` stays `*`. */
export function withVary(existing: string | undefined): string {
  if (existing === undefined || existing.trim() === '') return VARY_VALUE;
  const have = existing.split(',').map((s) => s.trim().toLowerCase());
  if (have.includes('*')) return existing;
  const missing = NAMES.filter((n) => !have.includes(n.toLowerCase()));
  return missing.length === 0 ? existing : `${existing}, ${missing.join(', ')}`;
}
