import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { RouteResponse, Routes } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { useKeys } from '../../app/keys';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { SearchIcon } from '../../components/icons';
import { formatCount, formatDateTime, formatTime } from '../../lib/format';

type Experiment = RouteResponse<Routes['listExperiments']>['items'][number];

async function allExperiments(call: (token: string | undefined) => Promise<RouteResponse<Routes['listExperiments']>>): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    out.push(...page.items);
    token = page.next_page_token ?? undefined;
  } while (token && out.length < 10_000);
  return out;
}

export function ExperimentList() {
  const { ws, client } = useWorkspace();
  const navigate = useNavigate();
  const base = `/w/${encodeURIComponent(ws)}`;
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Experiments' }]);
  const list = useApi(`experiments:${ws}`, () => allExperiments((page_token) => client.call('listExperiments', { query: { max_results: 1000, page_token } })), { pollMs: 10_000 });
  const [q, setQ] = useState('');
  const items = useMemo(() => (list.data ?? []).filter((e) => e.name.toLowerCase().includes(q.trim().toLowerCase())), [list.data, q]);
  const [active, setActive] = useState(0);
  useKeys({
    j: () => setActive((a) => Math.min(items.length - 1, a + 1)),
    ArrowDown: () => setActive((a) => Math.min(items.length - 1, a + 1)),
    k: () => setActive((a) => Math.max(0, a - 1)),
    ArrowUp: () => setActive((a) => Math.max(0, a - 1)),
    Enter: () => {
      const e = items[active];
      if (e) navigate(`${base}/experiments/${encodeURIComponent(e.name)}`);
    },
  });

  return (
    <div className="page">
      <div className="page-head">
        <h1>Experiments</h1>
        <span className="muted">{list.data ? `${formatCount(list.data.length)} in ${ws}` : ''}</span>
      </div>
      <div className="toolbar">
        <div className="filter-box">
          <SearchIcon />
          <input data-search className="filter-input" placeholder="Find an experiment" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Find an experiment" />
        </div>
        <span className="spacer" />
        <Link className="btn" to={`${base}/runs`}>
          All runs
        </Link>
      </div>
      {list.loading ? <Loading what="experiments" /> : null}
      {list.error && !list.data ? <ErrorPanel error={list.error} what="experiments" onRetry={list.reload} /> : null}
      {list.data && list.data.length === 0 ? (
        <Empty title="No experiments yet">
          Submit a job and its experiment appears here: <code>lathe job create -f examples/train-linear/job.yml</code>
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <table className="table" data-testid="experiments">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">ID</th>
              <th>Created</th>
              <th>Last activity</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e, i) => (
              <tr key={e.id} className={i === active ? 'active' : ''} onMouseEnter={() => setActive(i)}>
                <td>
                  <Link to={`${base}/experiments/${encodeURIComponent(e.name)}`} className="strong">
                    {e.name}
                  </Link>
                </td>
                <td className="num muted">{e.id}</td>
                <td title={formatDateTime(e.created_at)}>{formatTime(e.created_at)}</td>
                <td title={formatDateTime(e.last_update_time)}>{formatTime(e.last_update_time)}</td>
                <td className="muted">
                  {Object.entries(e.tags)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
