/**
 * What a request changed in a session, key by key: the keys whose JSON text differs from the text
 * they were loaded with (nested mutation such as `session.cart.push(x)` included) and the keys
 * removed. This is what a commit patches, and all it patches.
 */
import { emptyData } from './record-codec.ts';
import type { EncodedData } from './store.ts';

export interface ChangeSet {
  /** Key -> new JSON text. */
  set: EncodedData;
  /** Keys to remove (stored before, gone or JSON-undefined now). */
  unset: string[];
}

/**
 * Compare the decoded `values` with the stored texts in `raw`. `assigned`: keys the handler
 * assigned; `removed`: keys it deleted. Undefined when nothing changed (the usual read-only
 * request allocates nothing here).
 */
export function changesOf(
  values: Record<string, unknown>,
  raw: EncodedData,
  assigned: ReadonlySet<string> | undefined,
  removed: ReadonlySet<string> | undefined,
): ChangeSet | undefined {
  let set: EncodedData | undefined;
  let unset: string[] | undefined;
  for (const key in values) {
    const value = values[key];
    // A primitive read from its stored text and never assigned cannot have changed (nested
    // mutation needs an object), so it is not serialised again.
    if (typeof value !== 'object' && assigned?.has(key) !== true && key in raw) continue;
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) {
      if (key in raw) (unset ??= []).push(key);
    } else if (text !== raw[key]) {
      (set ??= emptyData())[key] = text;
    }
  }
  if (removed !== undefined) for (const key of removed) if (key in raw) (unset ??= []).push(key);
  if (set === undefined && unset === undefined) return undefined;
  return { set: set ?? emptyData(), unset: unset ?? [] };
}
