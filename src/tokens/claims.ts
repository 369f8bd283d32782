/** Checking the application's claims at `issue()`: a plain JSON object, no reserved names, bounded. */
import { RESERVED_CLAIMS } from './access-token.ts';
import { TokenClaimsError } from './errors.ts';

/** The claims as JSON text (what the family stores), or a TokenClaimsError saying what is wrong. */
export function encodeClaims(claims: unknown, maxBytes: number): string {
  if (claims === undefined) return '{}';
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new TokenClaimsError('issue(): claims must be a plain object of JSON values');
  }
  for (const name of Object.keys(claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new TokenClaimsError(`issue(): claim "${name}" is set by holdfast and cannot be passed in claims`);
  }
  let text: string;
  try {
    text = JSON.stringify(claims);
  } catch {
    throw new TokenClaimsError('issue(): claims must be JSON-serialisable');
  }
  if (Buffer.byteLength(text) > maxBytes) {
    throw new TokenClaimsError(`issue(): claims are ${Buffer.byteLength(text)} bytes of JSON, over maxClaimsBytes (${maxBytes}); keep access tokens small`);
  }
  return text;
}

/** The stored claims back as an object (a store returning garbage gives no claims rather than a crash). */
export function decodeClaims(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    const out = Object.create(null) as Record<string, unknown>;
    for (const name of Object.keys(value)) if (!RESERVED_CLAIMS.has(name)) out[name] = (value as Record<string, unknown>)[name];
    return out;
  } catch {
    return {};
  }
}
