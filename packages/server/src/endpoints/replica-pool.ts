import { ScoringWorker, type WorkerCommand, type WorkerReply } from './scoring-worker.js';

export type ReplicaState = 'starting' | 'ready' | 'restarting' | 'stopped';

/** One replica slot: the worker in it is replaced when it crashes or hangs. */
export class Replica {
  worker: ScoringWorker | null = null;
  state: ReplicaState = 'starting';
  /** Requests dispatched and not yet answered (the gateway's least-busy measure). */
  inFlight = 0;
  restarts = 0;
  startedAt: number | null = null;
}

export interface PoolOptions {
  readonly command: () => WorkerCommand;
  readonly instances: number;
  readonly maxConcurrentPerInstance: number;
  readonly requestTimeoutMs: number;
  /** How long a worker may take in init() before it counts as failed. */
  readonly startTimeoutMs: number;
  readonly log: (message: string) => void;
}

/** What scoring one request came to. `throttled` and `unavailable` never reached a worker. */
export type ScoreOutcome =
  | { kind: 'reply'; reply: WorkerReply }
  | { kind: 'throttled' }
  | { kind: 'unavailable' }
  | { kind: 'timeout' }
  | { kind: 'crashed'; message: string };

const RESTART_BACKOFF_MS = [100, 500, 1000, 2000, 5000];

/**
 * The replicas of one deployment generation: starts them, picks the least busy one for
 * each request, answers `throttled` at once when every replica is at its concurrency
 * limit, recycles a worker that exceeds the request timeout, restarts crashed ones.
 */
export class ReplicaPool {
  readonly replicas: Replica[] = [];
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: PoolOptions) {}

  /** Start every replica; resolves when all are ready, rejects with the first init() failure. */
  async start(): Promise<void> {
    const started: Array<Promise<void>> = [];
    for (let i = 0; i < this.o.instances; i++) started.push(this.addReplica());
    await Promise.all(started);
  }

  get readyCount(): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === 'ready') n++;
    return n;
  }

  get inFlight(): number {
    let n = 0;
    for (const r of this.replicas) n += r.inFlight;
    return n;
  }

  /** Grow or shrink (autoscaling). Shrinking stops the idlest replicas after they drain. */
  async scaleTo(n: number): Promise<void> {
    while (this.replicas.length < n) await this.addReplica().catch((e: Error) => this.o.log(`scale up failed: ${e.message}`));
    while (this.replicas.length > n) {
      const idlest = this.replicas.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      this.replicas.splice(this.replicas.indexOf(idlest), 1);
      void this.retire(idlest);
    }
  }

  private async addReplica(): Promise<void> {
    const replica = new Replica();
    this.replicas.push(replica);
    await this.launch(replica);
  }

  private async launch(replica: Replica): Promise<void> {
    replica.state = replica.restarts > 0 ? 'restarting' : 'starting';
    const worker = new ScoringWorker(this.o.command(), (w, code, signal) => this.onExit(replica, w, code, signal));
    replica.worker = worker;
    const timer = setTimeout(() => worker.kill(), this.o.startTimeoutMs);
    try {
      await worker.ready;
    } finally {
      clearTimeout(timer);
    }
    if (this.stopped || replica.worker !== worker) {
      worker.kill();
      return;
    }
    replica.state = 'ready';
    replica.startedAt = Date.now();
  }

  private onExit(replica: Replica, worker: ScoringWorker, code: number | null, signal: NodeJS.Signals | null): void {
    if (replica.worker !== worker || this.stopped || replica.state === 'stopped') return;
    const wasReady = replica.state === 'ready';
    replica.worker = null;
    replica.inFlight = 0;
    if (!wasReady && replica.restarts === 0) return; // a failed first start is reported by start()
    replica.restarts++;
    replica.state = 'restarting';
    const delay = RESTART_BACKOFF_MS[Math.min(replica.restarts - 1, RESTART_BACKOFF_MS.length - 1)]!;
    this.o.log(`scoring worker pid ${worker.pid} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped || !this.replicas.includes(replica)) return;
      this.launch(replica).catch((e: Error) => this.o.log(`scoring worker restart failed: ${e.message}`));
    }, delay);
    this.timers.add(timer);
  }

  /** The least busy ready replica below its concurrency limit, or undefined. */
  pick(): Replica | undefined {
    let best: Replica | undefined;
    for (const r of this.replicas) {
      if (r.state !== 'ready' || r.inFlight >= this.o.maxConcurrentPerInstance) continue;
      if (!best || r.inFlight < best.inFlight) best = r;
    }
    return best;
  }

  /** Score one request body on the least busy replica. */
  async score(body: Buffer): Promise<ScoreOutcome> {
    const replica = this.pick();
    if (!replica) return this.readyCount === 0 ? { kind: 'unavailable' } : { kind: 'throttled' };
    const worker = replica.worker!;
    replica.inFlight++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, this.o.requestTimeoutMs, 'timeout')));
      const result = await Promise.race([worker.call(body), timeout]);
      if (result === 'timeout') {
        // A worker stuck past the timeout is recycled: its queue would only wait longer.
        this.o.log(`request timed out after ${this.o.requestTimeoutMs} ms; recycling worker pid ${worker.pid}`);
        worker.kill();
        return { kind: 'timeout' };
      }
      return { kind: 'reply', reply: result };
    } catch (err) {
      return { kind: 'crashed', message: (err as Error).message };
    } finally {
      clearTimeout(timer);
      if (replica.worker === worker) replica.inFlight--;
    }
  }

  /** Wait for in-flight requests (at most `graceMs`), then stop every worker. */
  async drainAndStop(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.replicas.map((r) => this.retire(r)));
  }

  private async retire(replica: Replica): Promise<void> {
    const deadline = Date.now() + this.o.requestTimeoutMs;
    while (replica.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    replica.state = 'stopped';
    const w = replica.worker;
    replica.worker = null;
    if (w) await w.stop(2000);
  }
}
