/** Drive a server with autocannon: warm-up, then measured runs. */
import autocannon from 'autocannon';

export interface LoadOptions {
  connections: number;
  pipelining: number;
}

export interface RunResult {
  /** Completed requests per second over the run. */
  rps: number;
  /** 99th percentile latency of 2xx responses, ms (from every response time; autocannon's own histogram is 1 ms coarse). */
  p99: number;
  /** Mean latency, ms. */
  mean: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Server CPU time (user + system) per request, µs; undefined where it cannot be read. */
  cpuUs?: number;
}

/** Response times, ms, grown as needed. */
class Samples {
  #values = new Float64Array(1 << 16);
  #length = 0;
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length++] = value;
  }
  summary(): { p99: number; mean: number } {
    const sorted = this.#values.slice(0, this.#length).sort();
    if (sorted.length === 0) return { p99: Number.NaN, mean: Number.NaN };
    let sum = 0;
    for (const v of sorted) sum += v;
    const index = Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1);
    return { p99: sorted[index] as number, mean: sum / sorted.length };
  }
}

export async function drive(url: string, headers: Record<string, string>, seconds: number, load: LoadOptions): Promise<RunResult> {
  const samples = new Samples();
  const instance = autocannon({ url, headers, duration: seconds, connections: load.connections, pipelining: load.pipelining });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
  });
  const result = await instance;
  const requests = result.requests.total;
  const { p99, mean } = samples.summary();
  return {
    rps: result.duration > 0 ? requests / result.duration : 0,
    p99,
    mean,
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A fixed number of requests (for the Redis command profile); resolves the number completed. */
export async function driveAmount(url: string, headers: Record<string, string>, amount: number, load: LoadOptions): Promise<number> {
  const result = await autocannon({ url, headers, amount, connections: load.connections, pipelining: load.pipelining });
  return result.requests.total;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
