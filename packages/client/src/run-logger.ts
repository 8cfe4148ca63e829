import { LatheError, type MetricPoint, type MetricValue } from '@lathe/contract';
import { LatheClient, type UploadBody } from './lathe-client.js';

export interface RunLoggerOptions {
  client: LatheClient;
  runId: string;
  /** How often queued points are sent (ms). */
  intervalMs?: number;
  /** Send as soon as this many points wait. */
  batchSize?: number;
  /** Give up retrying a batch after this long (ms). */
  retryForMs?: number;
  /** Where problems from the background are reported (default: console.warn). */
  warn?: (message: string) => void;
}

interface Batch {
  metrics: MetricPoint[];
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
  idempotency_key: string;
}

const wire = (v: number): MetricValue => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);
const newKey = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`);

/**
 * Logging from TypeScript scripts, as the Python `lathe` module does: calls queue and
 * return at once; a timer sends batches; a failed send is retried with the same
 * idempotency key, so a retry never stores a point twice.
 */
export class RunLogger {
  readonly runId: string;
  private readonly client: LatheClient;
  private queue: Omit<Batch, 'idempotency_key'> = { metrics: [], params: [], tags: [] };
  private inFlight: Promise<void> = Promise.resolve();
  private readonly steps = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly o: Required<Omit<RunLoggerOptions, 'client' | 'runId'>>;

  constructor(options: RunLoggerOptions) {
    this.client = options.client;
    this.runId = options.runId;
    this.o = {
      intervalMs: options.intervalMs ?? 500,
      batchSize: options.batchSize ?? 1000,
      retryForMs: options.retryForMs ?? 10 * 60_000,
      warn: options.warn ?? ((m) => console.warn(`lathe: ${m}`)),
    };
    this.timer = setInterval(() => void this.send(), this.o.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** The logger for the run this process executes in (LATHE_* variables set by the agent), or undefined outside Lathe. */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): RunLogger | undefined {
    const { LATHE_API_URL: url, LATHE_RUN_TOKEN: token, LATHE_WORKSPACE: workspace, LATHE_RUN_ID: runId } = env;
    if (!url || !token || !runId) return undefined;
    return new RunLogger({ client: new LatheClient({ url, token, workspace }), runId });
  }

  logMetric(key: string, value: number, step?: number, timestamp = Date.now()): void {
    const s = step ?? this.steps.get(key) ?? 0;
    this.steps.set(key, s + 1);
    this.queue.metrics.push({ key, value: wire(value), step: s, timestamp });
    if (this.queue.metrics.length >= this.o.batchSize) void this.send();
  }

  logMetrics(values: Record<string, number>, step?: number): void {
    for (const [k, v] of Object.entries(values)) this.logMetric(k, v, step);
  }

  logParam(key: string, value: unknown): void {
    this.queue.params.push({ key, value: String(value) });
  }

  logParams(values: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(values)) this.logParam(k, v);
  }

  setTag(key: string, value: unknown): void {
    this.queue.tags.push({ key, value: String(value) });
  }

  /** Upload one file's bytes as an artifact (synchronous with the server). */
  async logArtifact(path: string, body: UploadBody, size?: number): Promise<void> {
    await this.client.upload('uploadArtifact', { params: { run: this.runId }, query: { path } }, body, size);
  }

  /** A child run; `end()` it (or use `withChildRun`). */
  async childRun(name?: string, tags?: Record<string, string>): Promise<RunLogger> {
    const child = await this.client.call('createRun', { body: { parent_run_id: this.runId, ...(name ? { display_name: name } : {}), ...(tags ? { tags } : {}) } });
    return new RunLogger({ client: this.client, runId: child.id, ...this.o });
  }

  /** Run `fn` in a child run that ends Completed, or Failed with the error's message. */
  async withChildRun<T>(name: string, fn: (run: RunLogger) => Promise<T>): Promise<T> {
    const child = await this.childRun(name);
    try {
      const result = await fn(child);
      await child.end('Completed');
      return result;
    } catch (err) {
      await child.end('Failed', (err as Error).message);
      throw err;
    }
  }

  /** Send everything queued; resolves when the server has acknowledged it. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight;
  }

  async end(status: 'Completed' | 'Failed' | 'Canceled' = 'Completed', reason?: string): Promise<void> {
    await this.flush();
    clearInterval(this.timer);
    await this.client.call('setRunStatus', { params: { run: this.runId }, body: { status, ...(reason ? { reason } : {}) } });
  }

  /** Stop the timer without ending the run (after a final flush). */
  async close(): Promise<void> {
    await this.flush();
    clearInterval(this.timer);
  }

  private send(): Promise<void> {
    const q = this.queue;
    if (q.metrics.length === 0 && q.params.length === 0 && q.tags.length === 0) return this.inFlight;
    this.queue = { metrics: [], params: [], tags: [] };
    const batch: Batch = { ...q, idempotency_key: newKey() };
    this.inFlight = this.inFlight.then(() => this.deliver(batch));
    return this.inFlight;
  }

  private async deliver(batch: Batch): Promise<void> {
    const start = Date.now();
    let delay = 200;
    for (;;) {
      try {
        await this.client.call('logBatch', { params: { run: this.runId }, body: batch });
        return;
      } catch (err) {
        const transient = !(err instanceof LatheError) || err.code === 'UNAVAILABLE' || err.code === 'INTERNAL' || err.code === 'RESOURCE_EXHAUSTED';
        if (!transient || Date.now() - start > this.o.retryForMs) {
          this.o.warn(`dropped a batch of ${batch.metrics.length} metric(s): ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
