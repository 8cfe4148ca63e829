import { EventEmitter } from 'node:events';
import type { RunStatus } from '@lathe/contract';

export interface RunEventMap {
  /** A run changed status: (runId, workspaceId, status). */
  status: [string, number, RunStatus];
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
