/**
 * A pino-compatible logger shape: `(obj, msg)` calls per level. Nothing is logged by default
 * except misconfiguration warnings, which go to console.warn once per cause.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** Emits each warning once per key, through the logger when given, else console.warn. */
export class WarnOnce {
  readonly #seen = new Set<string>();
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  warn(key: string, message: string): void {
    if (this.#seen.has(key)) return;
    if (this.#seen.size > 1000) this.#seen.clear();
    this.#seen.add(key);
    if (this.#logger !== undefined) this.#logger.warn({ holdfast: key }, message);
    else console.warn(`holdfast: ${message}`);
  }
}
