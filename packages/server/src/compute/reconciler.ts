import type { RunService } from '../runs/run-service.js';
import type { ComputeBackend } from './compute-backend.js';
import type { Db } from '../db/database.js';

export interface ReconcilerOptions {
  db: Db;
  runs: RunService;
  backends: Readonly<Record<string, ComputeBackend>>;
  intervalMs?: number;
  log: (msg: string) => void;
}

/**
 * Keeps the record honest about agents: at start (after a restart or crash) and then
 * periodically, an active run whose agent is gone is marked Failed with the reason; one
 * whose agent is alive is left to it (the agent retries until the server answers again).
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ReconcilerOptions) {}

  async atStartup(): Promise<void> {
    await this.check('was not running when the server started');
  }

  start(): void {
    this.timer = setInterval(() => {
      void this.check('exited without reporting a final status').catch((err: unknown) => this.o.log(`reconciler: ${(err as Error).message}`));
    }, this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(why: string): Promise<void> {
    const computes = await this.o.db.selectFrom('computes').select(['workspace_id', 'name', 'type']).execute();
    const typeOf = new Map(computes.map((c) => [`${c.workspace_id}:${c.name}`, c.type]));
    for (const run of await this.o.runs.active()) {
      const backend = this.o.backends[typeOf.get(`${run.workspace_id}:${run.compute}`) ?? ''];
      if (!backend) continue;
      if (run.agent_pid === null) {
        // Crashed between choosing the run and starting its agent: put it back in the queue.
        if (run.status === 'Preparing' && Date.now() - Number(run.last_update_time) > 10_000) {
          await this.o.db.updateTable('runs').set({ status: 'Queued' }).where('id', '=', run.id).where('status', '=', 'Preparing').where('agent_pid', 'is', null).execute();
          this.o.runs.events.emit('queued', run.id, Number(run.workspace_id));
        }
        continue;
      }
      if (await backend.isAlive(run.agent_pid, run.id)) {
        if (run.status === 'CancelRequested') await backend.stop(run.agent_pid, run.id);
        continue;
      }
      // A run the user asked to stop ends as they asked, even if its agent died before saying so.
      const end = run.status === 'CancelRequested'
        ? { status: 'Canceled' as const, reason: `${run.status_reason ?? 'Canceled by user'}; the run's agent (pid ${run.agent_pid}) ${why}` }
        : { status: 'Failed' as const, reason: `the run's agent (pid ${run.agent_pid}) ${why}` };
      await this.o.runs.transition(run, end).catch(() => undefined);
      this.o.log(`run ${run.id}: agent ${run.agent_pid} lost; marked ${end.status}`);
    }
  }
}
