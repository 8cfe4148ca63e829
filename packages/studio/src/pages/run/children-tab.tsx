import { useState } from 'react';
import { Link } from 'react-router';
import type { Run } from '@lathe/contract';
import { useApi } from '../../app/api-context';
import { ChevronIcon } from '../../components/icons';
import { StatusBadge } from '../../components/status-badge';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { formatDuration, formatMetric, runDuration } from '../../lib/format';
import { useRunView } from './run-context';

function useChildren(parent: string, live: boolean) {
  const { client, ws } = useRunView();
  return useApi(`children:${ws}:${parent}`, () => client.call('listRuns', { query: { parent_run_id: parent, order_by: 'created_at ASC', max_results: 1000 } }).then((p) => p.items), { pollMs: live ? 4000 : false });
}

/** The child-run tree (folds of a sweep, pipeline steps, `lathe.child_run(...)`), opened level by level. */
export function ChildrenTab() {
  const { run, active } = useRunView();
  const children = useChildren(run.id, active);
  if (children.loading) return <Loading what="child runs" />;
  if (children.error && !children.data) return <ErrorPanel error={children.error} what="child runs" onRetry={children.reload} />;
  if (!children.data?.length) return <Empty title="No child runs">Child runs appear here when the script creates them, e.g. <code>with lathe.child_run("fold-1"):</code></Empty>;
  return (
    <div className="tree-table" role="tree" aria-label="Child runs">
      {children.data.map((c) => (
        <ChildRow key={c.id} run={c} depth={0} />
      ))}
    </div>
  );
}

function ChildRow({ run, depth }: { run: Run; depth: number }) {
  const { ws } = useRunView();
  const [open, setOpen] = useState(false);
  const metrics = Object.entries(run.metrics).slice(0, 4);
  return (
    <>
      <div className="tree-run" role="treeitem" aria-expanded={open} style={{ paddingLeft: 8 + depth * 20 }}>
        <button type="button" className="icon-btn" onClick={() => setOpen((o) => !o)} aria-label={open ? 'Collapse' : 'Expand'}>
          <ChevronIcon open={open} />
        </button>
        <StatusBadge status={run.status} />
        <Link to={`/w/${encodeURIComponent(ws)}/runs/${encodeURIComponent(run.id)}`} className="strong">
          {run.display_name}
        </Link>
        <span className="muted small mono">{run.id}</span>
        <span className="spacer" />
        {metrics.map(([k, m]) => (
          <span key={k} className="small">
            <span className="muted">{k}</span> <span className="num">{formatMetric(m.value)}</span>
          </span>
        ))}
        <span className="num small muted">{formatDuration(runDuration(run))}</span>
      </div>
      {open ? <ChildLevel parent={run.id} depth={depth + 1} /> : null}
    </>
  );
}

function ChildLevel({ parent, depth }: { parent: string; depth: number }) {
  const children = useChildren(parent, false);
  if (children.loading) return <div style={{ paddingLeft: 8 + depth * 20 }}><Loading what="child runs" inline /></div>;
  if (children.error && !children.data) return <ErrorPanel compact error={children.error} what="child runs" />;
  if (!children.data?.length) return <div className="muted small" style={{ paddingLeft: 40 + depth * 20 }}>No child runs.</div>;
  return (
    <>
      {children.data.map((c) => (
        <ChildRow key={c.id} run={c} depth={depth} />
      ))}
    </>
  );
}
