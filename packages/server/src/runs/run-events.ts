import { EventEmitter } from 'node:events';
import type { RunStatus } from '@lathe/contract';

export interface RunEventMap {
  /**
   * A run changed status: (runId, workspaceId, status, isJob). `isJob` is false for runs
   * created only to log to (MLflow's runs/create), which hold no compute slot, tokens or outputs.
   */
  status: [string, number, RunStatus, boolean];
  /** A job was queued and may be scheduled. */
  queued: [string, number];
}

/** Run lifecycle events inside one server process (scheduler, live log streams). */
export class RunEvents extends EventEmitter<RunEventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
