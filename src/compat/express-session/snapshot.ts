/**
 * Change detection with express-session's meaning ("the JSON of the session, without its cookie,
 * differs") at a fraction of its cost. express-session serialises the whole session and hashes it
 * (sha1) when the session is loaded and again two or three times when the response ends. Here a
 * snapshot is taken per top-level key: primitives are kept as they are (no serialisation at all),
 * objects as their JSON text. Comparing is then a key-by-key check, done once when the response
 * ends (express-session hashes up to three more times there).
 *
 * Same verdicts as comparing JSON.stringify(session) except one: deleting a key and adding it
 * back with the same value (key order changes) is not a modification here.
 */

/** Marks an object value's JSON text (so it is never confused with a string value). */
class Json {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** What JSON.stringify would write for one property; undefined when it would leave it out. */
type Entry = string | number | boolean | null | bigint | Json;

export type Snapshot = ReadonlyMap<string, Entry>;

export const EMPTY: Snapshot = new Map();

function entryOf(value: unknown): Entry | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (value === null) return null;
      const text = JSON.stringify(value) as string | undefined;
      return text === undefined ? undefined : new Json(text);
    }
    default:
      // undefined, functions and symbols are left out of JSON
      return undefined;
  }
}

function same(a: Entry, b: Entry): boolean {
  if (a instanceof Json) return b instanceof Json && a.text === b.text;
  return a === b;
}

/** Snapshot of a session's data (every own enumerable key except `cookie`). */
export function takeSnapshot(sess: object): Snapshot {
  const snap = new Map<string, Entry>();
  const data = sess as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (key === 'cookie') continue;
    const entry = entryOf(data[key]);
    if (entry !== undefined) snap.set(key, entry);
  }
  return snap;
}

/** Whether the session's data now serialises the same as the snapshot. */
export function unchangedSince(snap: Snapshot, sess: object): boolean {
  const data = sess as Record<string, unknown>;
  let present = 0;
  for (const key of Object.keys(data)) {
    if (key === 'cookie') continue;
    const entry = entryOf(data[key]);
    if (entry === undefined) continue;
    const before = snap.get(key);
    if (before === undefined || !same(before, entry)) return false;
    present++;
  }
  return present === snap.size;
}
