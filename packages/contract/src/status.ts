/** Run statuses, as Azure ML names them, and the one mapping to MLflow's. */
export const RUN_STATUSES = [
  'NotStarted',
  'Queued',
  'Preparing',
  'Running',
  'Finalizing',
  'CancelRequested',
  'Completed',
  'Failed',
  'Canceled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['Completed', 'Failed', 'Canceled']);
export const ACTIVE_STATUSES: ReadonlySet<RunStatus> = new Set(['Preparing', 'Running', 'Finalizing', 'CancelRequested']);

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export type MlflowRunStatus = 'SCHEDULED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export const MLFLOW_STATUS_BY_RUN_STATUS: Readonly<Record<RunStatus, MlflowRunStatus>> = {
  NotStarted: 'SCHEDULED',
  Queued: 'SCHEDULED',
  Preparing: 'SCHEDULED',
  Running: 'RUNNING',
  Finalizing: 'RUNNING',
  CancelRequested: 'RUNNING',
  Completed: 'FINISHED',
  Failed: 'FAILED',
  Canceled: 'KILLED',
};

export const RUN_STATUS_BY_MLFLOW_STATUS: Readonly<Record<MlflowRunStatus, RunStatus>> = {
  SCHEDULED: 'Queued',
  RUNNING: 'Running',
  FINISHED: 'Completed',
  FAILED: 'Failed',
  KILLED: 'Canceled',
};
