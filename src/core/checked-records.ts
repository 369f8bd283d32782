/**
 * A promise between holdfast's own stores and the engine: a store that carries `[RECORDS_CHECKED]`
 * builds every record it returns through record-codec's checks (times are numbers, data is a
 * null-prototype map of strings), or, for MemoryStore, checks what it is given on the way in. The
 * engine then uses such a record as is instead of walking it a second time on every read
 * (~0.15 µs: the data map is a dictionary, slow to enumerate).
 *
 * The promise names the read methods it covers, so a subclass that replaces `get` or `getSync`
 * (a test double answering junk, say) is checked like any other store. The symbol is not exported
 * from the package: a store written elsewhere cannot claim it.
 */
export const RECORDS_CHECKED: unique symbol = Symbol('holdfast.recordsChecked');

/** The read methods whose records are in shape. */
export interface CheckedReads {
  readonly get: unknown;
  readonly getSync: unknown;
}

/** The promise for a store class: its own `get` and `getSync` (undefined when it has none). */
export function checkedReadsOf(prototype: { get: unknown; getSync?: unknown }): CheckedReads {
  return { get: prototype.get, getSync: prototype.getSync };
}

/** Whether `store` reads through the very methods of one of holdfast's own stores. */
export function returnsCheckedRecords(store: object): boolean {
  const reads = (store as { [RECORDS_CHECKED]?: CheckedReads })[RECORDS_CHECKED];
  if (reads === undefined) return false;
  const own = store as { get?: unknown; getSync?: unknown };
  return own.get === reads.get && own.getSync === reads.getSync;
}
