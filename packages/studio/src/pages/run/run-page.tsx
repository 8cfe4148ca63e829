import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isTerminal, type RunStatus } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { useKeys } from '../../app/keys';
import { StatusBadge } from '../../components/status-badge';
import { ErrorPanel, Loading } from '../../components/states';
import { formatDuration, runDuration } from '../../lib/format';
import { RunStream } from '../../lib/run-stream';
import { RunContext, type RunView } from './run-context';
import { OverviewTab } from './overview-tab';
import { MetricsTab } from './metrics-tab';
import { LogsTab } from './logs-tab';
import { OutputsTab, SnapshotTab } from './files-tab';
import { ChildrenTab } from './children-tab';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'logs', label: 'Logs' },
  { id: 'outputs', label: 'Outputs' },
  { id: 'snapshot', label: 'Code' },
  { id: 'children', label: 'Child runs' },
] as const;

export function RunPage() {
  const { run: runId = '', tab = 'overview' } = useParams();
  const { ws, client } = useWorkspace();
  const navigate = useNavigate();
  const base = `/w/${encodeURIComponent(ws)}`;

  const stream = useMemo(() => new RunStream(client, runId), [client, runId]);
  useEffect(() => () => stream.close(), [stream]);
  const live = useSyncExternalStore(
    (fn) => stream.subscribe(fn),
    () => stream.state,
  );
  const runApi = useApi(`run:${ws}:${runId}`, () => client.call('getRun', { params: { run: runId } }), {
    pollMs: live.ended ? false : 4000,
  });
  const run = runApi.data;
  // A status from the stream that the record does not show yet: fetch the record (timings, exit code).
  const { reload } = runApi;
  useEffect(() => {
    if (live.status && run && live.status !== run.status) reload();
  }, [live.status, run, reload]);

  const status: RunStatus | undefined = live.status ?? run?.status;
  const active = status !== undefined && !isTerminal(status);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, [active]);

  useCrumbs([
    { label: ws, to: `${base}/experiments` },
    { label: run?.experiment_name ?? 'Experiment', to: run ? `${base}/experiments/${encodeURIComponent(run.experiment_name)}` : `${base}/experiments` },
    { label: run?.display_name ?? runId },
  ]);

  const tabIndex = Math.max(0, TABS.findIndex((t) => t.id === tab));
  const go = (i: number) => {
    const t = TABS[(i + TABS.length) % TABS.length]!;
    navigate(`${base}/runs/${encodeURIComponent(runId)}${t.id === 'overview' ? '' : `/${t.id}`}`);
  };
  useKeys({ '[': () => go(tabIndex - 1), ']': () => go(tabIndex + 1) });

  const view: RunView | null = useMemo(
    () => (run ? { run: { ...run, status: status ?? run.status }, ws, client, stream, live, active, reload } : null),
    [run, status, ws, client, stream, live, active, reload],
  );

  if (runApi.loading) return <Loading what={`run ${runId}`} />;
  if (!view || !run) {
    return (
      <div className="page">
        <ErrorPanel error={runApi.error} what={`run ${runId}`} onRetry={runApi.reload} />
      </div>
    );
  }

  const cancel = async () => {
    if (!window.confirm(`Cancel ${run.display_name} (${run.id})?`)) return;
    await client.call('cancelRun', { params: { run: run.id }, body: { reason: 'canceled from the studio' } }).then(reload, (e: unknown) => window.alert(String((e as Error).message)));
  };

  return (
    <RunContext.Provider value={view}>
      <div className="page fill run-page">
        <div className="page-head run-head">
          <div className="run-title">
            <h1>{run.display_name}</h1>
            <StatusBadge status={view.run.status} title={run.status_reason ?? undefined} />
            <span className="muted mono small" title="Run ID (job name)">
              {run.id}
            </span>
          </div>
          <div className="run-facts">
            <span>
              <span className="muted">Duration</span> <span className="num" data-testid="duration">{formatDuration(runDuration(run, now))}</span>
            </span>
            {run.parent_run_id ? (
              <span>
                <span className="muted">Parent</span> <Link to={`${base}/runs/${encodeURIComponent(run.parent_run_id)}`}>{run.parent_run_id}</Link>
              </span>
            ) : null}
            <span className="spacer" />
            <Link className="btn small" to={`${base}/compare?runs=${encodeURIComponent(run.id)}`} title="Start a comparison with this run">
              Compare…
            </Link>
            {active ? (
              <button type="button" className="btn small danger" onClick={() => void cancel()}>
                Cancel run
              </button>
            ) : null}
          </div>
        </div>
        <nav className="tabs" role="tablist" aria-label="Run">
          {TABS.map((t, i) => (
            <Link key={t.id} role="tab" aria-selected={i === tabIndex} className={i === tabIndex ? 'tab on' : 'tab'} to={`${base}/runs/${encodeURIComponent(runId)}${t.id === 'overview' ? '' : `/${t.id}`}`}>
              {t.label}
            </Link>
          ))}
        </nav>
        <div className="tab-body">
          {tab === 'metrics' ? <MetricsTab /> : tab === 'logs' ? <LogsTab /> : tab === 'outputs' ? <OutputsTab /> : tab === 'snapshot' ? <SnapshotTab /> : tab === 'children' ? <ChildrenTab /> : <OverviewTab now={now} />}
        </div>
      </div>
    </RunContext.Provider>
  );
}
