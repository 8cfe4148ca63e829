import { BUCKET_BOUNDS_MS, type DeploymentStats } from './telemetry.js';

export interface DeploymentSeries {
  workspace: string;
  endpoint: string;
  deployment: string;
  stats: DeploymentStats;
  replicasReady: number;
  replicas: number;
  inFlight: number;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** Every 4th fine bucket (×2.44 apart): cumulative counts at a fine bound are exact, so this loses nothing but resolution. */
const EXPORTED = BUCKET_BOUNDS_MS.map((b, i) => [b, i] as const).filter(([, i]) => i % 4 === 0);

/** The Prometheus text exposition format (version 0.0.4) for every deployment. */
export function prometheusText(series: readonly DeploymentSeries[]): string {
  const out: string[] = [];
  const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const labels = (s: DeploymentSeries) => `workspace="${esc(s.workspace)}",endpoint="${esc(s.endpoint)}",deployment="${esc(s.deployment)}"`;

  head('lathe_online_requests_total', 'counter', 'Scoring requests by HTTP status.');
  for (const s of series) for (const [code, n] of s.stats.codes) out.push(`lathe_online_requests_total{${labels(s)},code="${code}"} ${n}`);
  head('lathe_online_throttled_total', 'counter', 'Requests answered 429 (every replica at max_concurrent_requests_per_instance).');
  for (const s of series) out.push(`lathe_online_throttled_total{${labels(s)}} ${s.stats.throttled}`);
  head('lathe_online_timeouts_total', 'counter', 'Requests past request_timeout_ms.');
  for (const s of series) out.push(`lathe_online_timeouts_total{${labels(s)}} ${s.stats.timeouts}`);
  head('lathe_online_mirrored_total', 'counter', 'Mirrored copies sent (answers discarded).');
  for (const s of series) out.push(`lathe_online_mirrored_total{${labels(s)}} ${s.stats.mirrored}`);
  head('lathe_online_request_duration_seconds', 'histogram', 'Gateway-to-worker-and-back latency of answered requests.');
  for (const s of series) {
    let cum = 0;
    let fine = 0;
    for (const [bound, i] of EXPORTED) {
      while (fine <= i) cum += s.stats.hist[fine++]!;
      out.push(`lathe_online_request_duration_seconds_bucket{${labels(s)},le="${(bound / 1000).toPrecision(4)}"} ${cum}`);
    }
    let total = 0;
    for (const n of s.stats.hist) total += n;
    out.push(`lathe_online_request_duration_seconds_bucket{${labels(s)},le="+Inf"} ${total}`);
    out.push(`lathe_online_request_duration_seconds_sum{${labels(s)}} ${s.stats.latencySumMs / 1000}`);
    out.push(`lathe_online_request_duration_seconds_count{${labels(s)}} ${total}`);
  }
  head('lathe_online_replicas', 'gauge', 'Replicas of the live generation, and how many are ready.');
  for (const s of series) {
    out.push(`lathe_online_replicas{${labels(s)},state="ready"} ${s.replicasReady}`);
    out.push(`lathe_online_replicas{${labels(s)},state="all"} ${s.replicas}`);
  }
  head('lathe_online_in_flight', 'gauge', 'Requests being scored now.');
  for (const s of series) out.push(`lathe_online_in_flight{${labels(s)}} ${s.inFlight}`);
  return `${out.join('\n')}\n`;
}
