import type { RunStatus } from '@lathe/contract';

const TONE: Record<RunStatus, string> = {
  NotStarted: 'neutral',
  Queued: 'neutral',
  Preparing: 'info',
  Running: 'info',
  Finalizing: 'info',
  CancelRequested: 'warn',
  Completed: 'ok',
  Failed: 'bad',
  Canceled: 'warn',
};

const ACTIVE = new Set<RunStatus>(['Preparing', 'Running', 'Finalizing', 'CancelRequested']);

/** A run's status as a coloured pill; active ones pulse. */
export function StatusBadge({ status, title }: { status: RunStatus; title?: string | undefined }) {
  return (
    <span className={`status status-${TONE[status]}${ACTIVE.has(status) ? ' active' : ''}`} data-status={status} title={title ?? status}>
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
