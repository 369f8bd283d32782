/**
 * A frozen, hand-moved clock for timeout tests: pass `clock.now` as the engine's `clock` option,
 * then `clock.advance('31m')` between requests. Starts at the real time (so stores that sweep by
 * Date.now() see records as alive) and only moves when told.
 */
import { parseDuration, type Duration } from '../../src/core/duration.ts';

export class TestClock {
  #now: number;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  /** The clock function to hand the engine (bound: safe to pass around). */
  readonly now = (): number => this.#now;

  advance(by: Duration): number {
    this.#now += parseDuration('advance', by);
    return this.#now;
  }

  set(to: number): void {
    this.#now = to;
  }
}
