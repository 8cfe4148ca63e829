import { ReplicaPool, type PoolOptions } from './replica-pool.js';
import { DeploymentStats } from './telemetry.js';

/** Autoscaling settings after defaults. */
export interface Autoscale {
  min: number;
  max: number;
  intervalMs: number;
  /** Average in-flight requests per replica to aim for. */
  targetConcurrency: number;
}

/** What a generation's workers use while they run (their host environment), given back once they have stopped. */
export interface HeldEnvironment {
  release(): Promise<void>;
}

/**
 * A deployment as the gateway sees it: the pool of its live generation, its telemetry,
 * and the rollout that replaces the pool without dropping a request.
 */
export class LiveDeployment {
  pool: ReplicaPool | null = null;
  /** The environment `pool`'s workers run in. */
  private environment: HeldEnvironment | null = null;
  /** The generation being started (replaces `pool` once every replica is ready). */
  private next: { generation: number; pool: ReplicaPool } | null = null;
  generation = 0;
  readonly stats = new DeploymentStats();
  requestTimeoutMs = 5000;
  samplingRate = 0;
  private scaler: NodeJS.Timeout | null = null;
  /** Set by stop() (deployment deleted, server closing): a rollout still materialising must not start replicas. */
  private stopped = false;
  private samples: number[] = [];

  constructor(readonly endpoint: string, readonly name: string, private readonly log: (m: string) => void) {}

  /**
   * Start a new generation; once all its replicas answer ready, route to it and drain the
   * old one. A newer rollout started meanwhile wins: this one's pool is stopped.
   * Takes over `extra.environment`: it is released once this generation's workers have
   * stopped (replaced by a newer generation, failed, superseded, or the deployment stopped),
   * so the environment cache may evict it again.
   * @throws the first replica's init() failure (the old generation keeps serving)
   */
  async rollTo(generation: number, options: PoolOptions, extra: { samplingRate: number; autoscale: Autoscale | null; environment: HeldEnvironment | null }): Promise<void> {
    const giveBack = () => this.release(extra.environment);
    if (this.stopped) {
      await giveBack();
      throw new Error(`superseded: ${this.endpoint}/${this.name} was stopped`);
    }
    const pool = new ReplicaPool(options);
    const previous = this.next;
    this.next = { generation, pool };
    if (previous) void previous.pool.stop();
    try {
      await pool.start();
    } catch (err) {
      await pool.stop();
      if (this.next?.pool === pool) this.next = null;
      await giveBack();
      throw err;
    }
    if (this.next?.pool !== pool) {
      await pool.stop();
      await giveBack();
      throw new Error(`superseded by a newer update of ${this.endpoint}/${this.name}`);
    }
    this.next = null;
    const old = this.pool;
    const oldEnvironment = this.environment;
    this.pool = pool;
    this.environment = extra.environment;
    this.generation = generation;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.samplingRate = extra.samplingRate;
    this.setAutoscale(extra.autoscale);
    if (old) await old.drainAndStop(options.requestTimeoutMs + 1000);
    await this.release(oldEnvironment);
  }

  /** A release that fails (a cache folder gone) must not fail the rollout or the stop: it is logged. */
  private async release(environment: HeldEnvironment | null): Promise<void> {
    await environment?.release().catch((err: Error) => this.log(`${this.endpoint}/${this.name}: releasing an environment failed: ${err.message}`));
  }

  /** Sample in-flight load often; every interval resize between min and max. */
  private setAutoscale(a: Autoscale | null): void {
    if (this.scaler) clearInterval(this.scaler);
    this.scaler = null;
    this.samples = [];
    if (!a) return;
    const sampleMs = 100;
    let elapsed = 0;
    this.scaler = setInterval(() => {
      const pool = this.pool;
      if (!pool) return;
      this.samples.push(pool.inFlight);
      elapsed += sampleMs;
      if (elapsed < a.intervalMs) return;
      elapsed = 0;
      const mean = this.samples.reduce((x, y) => x + y, 0) / Math.max(1, this.samples.length);
      this.samples = [];
      const want = Math.min(a.max, Math.max(a.min, Math.ceil(mean / a.targetConcurrency)));
      if (want !== pool.replicas.length) {
        this.log(`autoscale ${this.endpoint}/${this.name}: mean in-flight ${mean.toFixed(2)} → ${want} replica(s)`);
        void pool.scaleTo(want);
      }
    }, sampleMs);
    this.scaler.unref();
  }

  /** Stop every worker and release the serving generation's environment (a generation still starting releases its own). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.setAutoscale(null);
    const pools = [this.pool, this.next?.pool].filter((p): p is ReplicaPool => p !== null && p !== undefined);
    const environment = this.environment;
    this.pool = null;
    this.environment = null;
    this.next = null;
    await Promise.all(pools.map((p) => p.stop()));
    await this.release(environment);
  }
}
