/**
 * Load for the store-outage tests: `concurrency` workers spread over a few signed-in sessions,
 * each sending `GET /set?k=<unique>&v=<value>` back to back, every outcome recorded with the
 * phase it was sent in. Afterwards `checkNoAcknowledgedWriteLost()` reads every session back and
 * returns the acknowledged writes that are missing.
 */
import assert from 'node:assert/strict';
import { sessionCookie, type AppProcess } from '../../support/app-process.ts';

export interface Outcome {
  worker: number;
  session: number;
  key: string;
  value: string;
  /** The phase when the request was sent … */
  phase: string;
  /** … and when its answer arrived. */
  endPhase: string;
  /** HTTP status, or 'error' when the request failed at the transport (hang → abort, reset). */
  status: number | 'error';
  error?: string;
  ms: number;
  /** The response set a session cookie other than the session's own. */
  cookieChanged: boolean;
}

export class Load {
  readonly outcomes: Outcome[] = [];
  phase = 'warmup';
  readonly #app: AppProcess;
  readonly #cookies: string[];
  #running = false;
  #workers: Promise<void>[] = [];

  constructor(app: AppProcess, cookies: string[]) {
    this.#app = app;
    this.#cookies = cookies;
  }

  /** Sign `sessions` users in and return their cookies. */
  static async signIn(app: AppProcess, sessions: number, tag: string): Promise<string[]> {
    const cookies: string[] = [];
    for (let i = 0; i < sessions; i++) {
      const res = await app.request('POST', `/login?user=load-${tag}-${i}`);
      assert.equal(res.status, 200);
      const cookie = sessionCookie(res.setCookies);
      assert.ok(cookie !== undefined);
      cookies.push(cookie);
    }
    return cookies;
  }

  start(concurrency: number, requestTimeoutMs: number): void {
    this.#running = true;
    this.#workers = Array.from({ length: concurrency }, (_, worker) => this.#work(worker, requestTimeoutMs));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  async #work(worker: number, timeoutMs: number): Promise<void> {
    const session = worker % this.#cookies.length;
    const cookie = this.#cookies[session]!;
    for (let seq = 0; this.#running; seq++) {
      const key = `w${worker}_${seq}`;
      const value = `${worker}:${seq}`;
      const phase = this.phase;
      const started = performance.now();
      try {
        const res = await this.#app.request('GET', `/set?k=${key}&v=${encodeURIComponent(value)}`, { cookie, timeoutMs });
        const sent = sessionCookie(res.setCookies);
        const cookieChanged = sent !== undefined && sent !== cookie;
        this.outcomes.push({ worker, session, key, value, phase, endPhase: this.phase, status: res.status, ms: res.ms, cookieChanged });
      } catch (error) {
        const ms = performance.now() - started;
        this.outcomes.push({ worker, session, key, value, phase, endPhase: this.phase, status: 'error', error: String(error), ms, cookieChanged: false });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** Outcomes of requests sent and answered within one phase. */
  of(phase: string): Outcome[] {
    return this.outcomes.filter((o) => o.phase === phase && o.endPhase === phase);
  }

  /** Read every session back; the acknowledged (2xx) writes whose value is not there. */
  async missingAcknowledgedWrites(): Promise<Outcome[]> {
    const missing: Outcome[] = [];
    for (const [session, cookie] of this.#cookies.entries()) {
      const res = await this.#app.request('GET', '/me', { cookie });
      assert.equal(res.status, 200);
      const data = (res.body as { data: Record<string, unknown> }).data;
      for (const o of this.outcomes) {
        if (o.session === session && typeof o.status === 'number' && o.status < 300 && data[o.key] !== o.value) missing.push(o);
      }
    }
    return missing;
  }
}

/** Count statuses: { '200': n, '503': m, error: k }. */
export function statusCounts(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Poll `/health` every `intervalMs` until stopped; every answer's status and time. */
export function watchHealth(app: AppProcess, intervalMs = 100): { stop(): Promise<{ status: number | 'error'; ms: number }[]> } {
  const seen: { status: number | 'error'; ms: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await app.request('GET', '/health', { timeoutMs: 2_000 });
        seen.push({ status: res.status, ms: res.ms });
      } catch {
        seen.push({ status: 'error', ms: performance.now() - started });
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}
