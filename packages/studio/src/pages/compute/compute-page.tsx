import { Link } from 'react-router';
import type { Run } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { StatusBadge } from '../../components/status-badge';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { formatDateTime, formatDuration } from '../../lib/format';

const ACTIVE = 'Queued,Preparing,Running,Finalizing,CancelRequested';

/** Compute targets with their slots in use, and the queue: what waits and what runs, per target. */
export function ComputePage() {
  const { ws, client } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Compute' }]);
  const computes = useApi(`computes:${ws}`, () => client.call('listComputes', {}), { pollMs: 3000 });
  const queue = useApi<Run[]>(`queue:${ws}`, () => client.call('listRuns', { query: { status: ACTIVE, order_by: 'created_at ASC', max_results: 1000 } }).then((p) => p.items), { pollMs: 3000 });
  const now = Date.now();

  return (
    <div className="page">
      <div className="page-head">
        <h1>Compute</h1>
        <span className="muted">targets in {ws}; refreshes every few seconds</span>
      </div>
      {computes.loading ? <Loading what="compute targets" /> : null}
      {computes.error && !computes.data ? <ErrorPanel error={computes.error} what="compute targets" onRetry={computes.reload} /> : null}
      {computes.data ? (
        <div className="compute-cards">
          {computes.data.items.map((c) => {
            const running = (queue.data ?? []).filter((r) => r.compute === c.name && r.status !== 'Queued');
            const waiting = (queue.data ?? []).filter((r) => r.compute === c.name && r.status === 'Queued');
            return (
              <section key={c.name} className="panel compute-card" data-compute={c.name}>
                <header className="panel-head">
                  <span className="panel-title">{c.name}</span>
                  <span className="pill">{c.type}</span>
                  <span className="spacer" />
                  <span className="muted small">since {formatDateTime(c.created_at)}</span>
                </header>
                <div className="panel-body">
                  {c.description ? <div className="muted small">{c.description}</div> : null}
                  <div className="slots" aria-label={`${c.slots_in_use} of ${c.slots} slots in use`}>
                    {Array.from({ length: Math.min(c.slots, 64) }, (_, i) => (
                      <span key={i} className={i < c.slots_in_use ? 'slot used' : 'slot'} />
                    ))}
                  </div>
                  <div className="compute-stats">
                    <span>
                      <b className="num">{c.slots_in_use}</b> / {c.slots} slots in use
                    </span>
                    <span>
                      <b className="num">{c.queued}</b> queued
                    </span>
                  </div>
                  <QueueTable title="Running" runs={running} base={base} now={now} empty="Nothing is running here." />
                  <QueueTable title="Waiting" runs={waiting} base={base} now={now} empty="The queue is empty." ordered />
                </div>
              </section>
            );
          })}
          {computes.data.items.length === 0 ? <Empty title="No compute targets">Create one with <code>lathe compute create -n NAME --slots 4</code>.</Empty> : null}
        </div>
      ) : null}
      {queue.error && !queue.data ? <ErrorPanel compact error={queue.error} what="the queue" onRetry={queue.reload} /> : null}
    </div>
  );
}

function QueueTable({ title, runs, base, now, empty, ordered }: { title: string; runs: Run[]; base: string; now: number; empty: string; ordered?: boolean }) {
  return (
    <div className="queue">
      <div className="queue-title">
        {title} <span className="muted">{runs.length}</span>
      </div>
      {runs.length === 0 ? (
        <div className="muted small">{empty}</div>
      ) : (
        <table className="table compact">
          <tbody>
            {runs.map((r, i) => (
              <tr key={r.id}>
                {ordered ? <td className="num muted">{i + 1}</td> : null}
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <Link to={`${base}/runs/${encodeURIComponent(r.id)}`}>{r.display_name}</Link> <span className="muted mono small">{r.id}</span>
                </td>
                <td className="muted">{r.experiment_name}</td>
                <td className="muted">{r.user}</td>
                <td className="num">{r.started_at ? `running ${formatDuration(now - r.started_at)}` : `waiting ${formatDuration(now - r.created_at)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
