import { describe, expect, it } from 'vitest';
import { DeploymentStats } from './telemetry.js';
import { prometheusText } from './prometheus.js';

describe('deployment telemetry', () => {
  it('counts outcomes per minute and reports percentiles within a bucket (≤ 25% high)', () => {
    const s = new DeploymentStats();
    const t = Date.UTC(2026, 0, 1, 12, 0, 5);
    for (let i = 1; i <= 100; i++) s.record(200, 'ok', i, t);
    s.record(429, 'throttled', 0, t);
    s.record(408, 'timeout', 5000, t + 60_000);
    s.record(500, 'error', 3, t + 60_000);
    const snap = s.snapshot('blue');
    expect(snap.totals).toEqual({ requests: 103, errors: 1, throttled: 1, timeouts: 1, mirrored: 0 });
    expect(snap.minutes).toHaveLength(2);
    const [first, second] = snap.minutes;
    expect(first).toMatchObject({ minute: Date.UTC(2026, 0, 1, 12, 0, 0), requests: 101, throttled: 1 });
    expect(first!.p50_ms).toBeGreaterThanOrEqual(50);
    expect(first!.p50_ms).toBeLessThanOrEqual(50 * 1.25);
    expect(first!.p99_ms).toBeGreaterThanOrEqual(99);
    expect(first!.p99_ms).toBeLessThanOrEqual(99 * 1.25);
    // Throttled and timed-out requests never reached a worker: not in the latency histogram.
    expect(second).toMatchObject({ requests: 2, errors: 1, timeouts: 1 });
    expect(second!.p50_ms).toBeGreaterThanOrEqual(3);
    expect(second!.p50_ms).toBeLessThan(4);
  });

  it('keeps one hour of minutes', () => {
    const s = new DeploymentStats();
    for (let m = 0; m < 90; m++) s.record(200, 'ok', 1, m * 60_000);
    const minutes = s.snapshot('x').minutes;
    expect(minutes).toHaveLength(60);
    expect(minutes[0]!.minute).toBe(30 * 60_000);
  });

  it('prints Prometheus text with cumulative, exact histogram buckets', () => {
    const stats = new DeploymentStats();
    stats.record(200, 'ok', 0.2);
    stats.record(200, 'ok', 2);
    stats.record(200, 'ok', 40);
    stats.record(429, 'throttled', 0);
    const text = prometheusText([{ workspace: 'default', endpoint: 'ep"1', deployment: 'blue', stats, replicas: 2, replicasReady: 1, inFlight: 0 }]);
    const labels = 'workspace="default",endpoint="ep\\"1",deployment="blue"';
    expect(text).toContain(`lathe_online_requests_total{${labels},code="200"} 3`);
    expect(text).toContain(`lathe_online_requests_total{${labels},code="429"} 1`);
    expect(text).toContain(`lathe_online_throttled_total{${labels}} 1`);
    expect(text).toContain(`lathe_online_request_duration_seconds_bucket{${labels},le="+Inf"} 3`);
    expect(text).toContain(`lathe_online_request_duration_seconds_count{${labels}} 3`);
    expect(text).toContain(`lathe_online_replicas{${labels},state="ready"} 1`);
    const buckets = [...text.matchAll(/_bucket\{[^}]*le="([^"]+)"\} (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
    const at = (le: number) => buckets.filter(([b]) => b <= le).at(-1)![1];
    expect(at(0.0001)).toBe(0);
    expect(at(0.001)).toBe(1);
    expect(at(0.01)).toBe(2);
    expect(at(0.1)).toBe(3);
  });
});
