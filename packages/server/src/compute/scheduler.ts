import type { Db } from '../db/database.js';
import type { TokenService } from '../auth/token-service.js';
import type { RunService } from '../runs/run-service.js';
import type { RunRow } from '../runs/run-mapper.js';
import type { ComputeService } from './compute-service.js';
import type { ComputeBackend } from './compute-backend.js';

const ACTIVE = new Set(['Preparing', 'Running', 'Finalizing', 'CancelRequested']);

export interface SchedulerOptions {
  db: Db;
  runs: RunService;
  computes: ComputeService;
  tokens: TokenService;
  backends: Readonly<Record<string, ComputeBackend>>;
  /** This server's URL as agents reach it (known once listening). */
  apiUrl: () => string;
  /** How often to look for lost agents and missed work. */
  intervalMs?: number;
  log: (msg: string) => void;
}

/**
 * FIFO per compute target with N slots. Ticks when a job is queued or ends, and on a
 * timer as a safety net. Ticks never overlap: a request during a tick runs one more.
 */
export class Scheduler {
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.o.runs.events.on('queued', () => this.poke());
    this.o.runs.events.on('status', (_id, _ws, status, isJob) => {
      if (isJob && (status === 'Completed' || status === 'Failed' || status === 'Canceled')) this.poke();
    });
    this.timer = setInterval(() => this.poke(), this.o.intervalMs ?? 2000);
    this.timer.unref();
    this.poke();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.tick()
      .catch((err: unknown) => this.o.log(`scheduler: ${(err as Error).message}`))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Resolves when no tick is in progress (for an orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  private async tick(): Promise<void> {
    const queued = await this.o.runs.queued();
    if (queued.length === 0) return;
    const slots = await this.o.computes.slots();
    const used = new Map<string, number>();
    for (const r of await this.o.runs.active()) {
      if (ACTIVE.has(r.status)) used.set(`${r.workspace_id}:${r.compute}`, (used.get(`${r.workspace_id}:${r.compute}`) ?? 0) + 1);
    }
    for (const run of queued) {
      const key = `${run.workspace_id}:${run.compute}`;
      const target = slots.get(key);
      if (!target) {
        await this.o.runs.transition(run, { status: 'Failed', reason: `compute '${run.compute}' no longer exists` }).catch(() => undefined);
        continue;
      }
      const n = used.get(key) ?? 0;
      if (n >= target.slots) continue;
      used.set(key, n + 1);
      await this.launch(run, target.type);
    }
  }

  private async launch(run: RunRow, type: string): Promise<void> {
    if (!(await this.o.runs.transition(run, { status: 'Preparing' }))) return;
    const backend = this.o.backends[type];
    try {
      if (!backend) throw new Error(`no backend for compute type '${type}'`);
      const ws = await this.o.db.selectFrom('workspaces').select('name').where('id', '=', Number(run.workspace_id)).executeTakeFirstOrThrow();
      const token = await this.o.tokens.createRunToken(Number(run.user_id), run.id, Number(run.workspace_id));
      const { pid } = await backend.start({ runId: run.id, workspace: ws.name, apiUrl: this.o.apiUrl(), token });
      await this.o.runs.recordAgent(run.id, pid);
    } catch (err) {
      const fresh = await this.o.db.selectFrom('runs').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow();
      await this.o.runs.transition(fresh, { status: 'Failed', reason: `could not start the run's agent: ${(err as Error).message}` }).catch(() => undefined);
    }
  }
}
