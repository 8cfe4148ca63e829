import type { DeploymentMetrics } from '@lathe/contract';

/** Latency buckets: upper bounds growing by 1.25× from 50 µs to ~100 s. A percentile is reported as its bucket's upper bound (≤ 25% high). */
const FACTOR = 1.25;
const FIRST_MS = 0.05;
export const BUCKET_BOUNDS_MS: readonly number[] = Array.from({ length: 66 }, (_, i) => FIRST_MS * FACTOR ** i);
const LOG_FACTOR = Math.log(FACTOR);
const KEEP_MINUTES = 60;

function bucketOf(ms: number): number {
  if (ms <= FIRST_MS) return 0;
  const i = Math.ceil(Math.log(ms / FIRST_MS) / LOG_FACTOR - 1e-9);
  return Math.min(i, BUCKET_BOUNDS_MS.length); // the last slot is +Inf
}

export type Outcome = 'ok' | 'error' | 'throttled' | 'timeout';

interface Minute {
  minute: number;
  requests: number;
  errors: number;
  throttled: number;
  timeouts: number;
  hist: Uint32Array;
}

function percentile(hist: Uint32Array, q: number): number | null {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return i < BUCKET_BOUNDS_MS.length ? Math.round(BUCKET_BOUNDS_MS[i]! * 1000) / 1000 : Infinity;
  }
  return null;
}

/**
 * One deployment's request counters and latency histograms: all-time totals (for
 * Prometheus) and per minute for the last hour (for the API). In memory: a server
 * restart starts them again, as Prometheus counters expect.
 */
export class DeploymentStats {
  requests = 0;
  errors = 0;
  throttled = 0;
  timeouts = 0;
  mirrored = 0;
  latencySumMs = 0;
  /** Counts per status code. */
  readonly codes = new Map<number, number>();
  readonly hist = new Uint32Array(BUCKET_BOUNDS_MS.length + 1);
  private readonly minutes: Minute[] = [];

  record(status: number, outcome: Outcome, ms: number, now = Date.now()): void {
    this.requests++;
    this.codes.set(status, (this.codes.get(status) ?? 0) + 1);
    const m = this.minute(now);
    m.requests++;
    if (outcome === 'error') {
      this.errors++;
      m.errors++;
    } else if (outcome === 'throttled') {
      this.throttled++;
      m.throttled++;
    } else if (outcome === 'timeout') {
      this.timeouts++;
      m.timeouts++;
    }
    if (outcome === 'ok' || outcome === 'error') {
      const b = bucketOf(ms);
      this.hist[b]!++;
      m.hist[b]!++;
      this.latencySumMs += ms;
    }
  }

  private minute(now: number): Minute {
    const minute = now - (now % 60_000);
    const last = this.minutes[this.minutes.length - 1];
    if (last && last.minute === minute) return last;
    const m: Minute = { minute, requests: 0, errors: 0, throttled: 0, timeouts: 0, hist: new Uint32Array(BUCKET_BOUNDS_MS.length + 1) };
    this.minutes.push(m);
    while (this.minutes.length > KEEP_MINUTES || (this.minutes[0] && this.minutes[0].minute <= minute - KEEP_MINUTES * 60_000)) this.minutes.shift();
    return m;
  }

  snapshot(deployment: string): DeploymentMetrics {
    return {
      deployment,
      totals: { requests: this.requests, errors: this.errors, throttled: this.throttled, timeouts: this.timeouts, mirrored: this.mirrored },
      minutes: this.minutes.map((m) => ({
        minute: m.minute, requests: m.requests, errors: m.errors, throttled: m.throttled, timeouts: m.timeouts,
        p50_ms: percentile(m.hist, 0.5), p95_ms: percentile(m.hist, 0.95), p99_ms: percentile(m.hist, 0.99),
      })),
    };
  }
}
