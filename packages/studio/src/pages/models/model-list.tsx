import { useState } from 'react';
import { Link } from 'react-router';
import type { RouteResponse, Routes } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { SearchIcon } from '../../components/icons';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { formatDateTime, formatTime } from '../../lib/format';

type Model = RouteResponse<Routes['listModels']>['items'][number];

export function ModelList() {
  const { ws, client } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Models' }]);
  const [q, setQ] = useState('');
  const name = q.trim();
  const list = useApi<Model[]>(`models:${ws}:${name}`, () => client.call('listModels', { query: { name: name || undefined, max_results: 1000 } }).then((p) => p.items), { pollMs: 10_000 });

  return (
    <div className="page">
      <div className="page-head">
        <h1>Models</h1>
        <span className="muted">{list.data ? `${list.data.length} registered in ${ws}` : ''}</span>
      </div>
      <div className="toolbar">
        <div className="filter-box">
          <SearchIcon />
          <input data-search className="filter-input" placeholder="Find a model by name" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Find a model" />
        </div>
      </div>
      {list.loading ? <Loading what="models" /> : null}
      {list.error && !list.data ? <ErrorPanel error={list.error} what="models" onRetry={list.reload} /> : null}
      {list.data && list.data.length === 0 ? (
        <Empty title={name ? `No model matches “${name}”` : 'No models registered yet'}>
          Register one from a script with <code>lathe.register_model("name", "outputs/model")</code>, or with <code>lathe model create</code>.
        </Empty>
      ) : null}
      {list.data?.length ? (
        <table className="table" data-testid="models">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Latest</th>
              <th className="num">Versions</th>
              <th>Aliases</th>
              <th>Tags</th>
              <th>Updated</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link className="strong" to={`${base}/models/${encodeURIComponent(m.name)}`}>
                    {m.name}
                  </Link>
                  {m.description ? <div className="muted small">{m.description}</div> : null}
                </td>
                <td className="num">{m.latest_version !== null ? <Link to={`${base}/models/${encodeURIComponent(m.name)}/${m.latest_version}`}>v{m.latest_version}</Link> : '—'}</td>
                <td className="num">{m.version_count}</td>
                <td>
                  {Object.entries(m.aliases).map(([a, v]) => (
                    <span key={a} className="pill">
                      @{a} → v{v}
                    </span>
                  ))}
                </td>
                <td className="muted small">
                  {Object.entries(m.tags)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td title={formatDateTime(m.updated_at)}>{formatTime(m.updated_at)}</td>
                <td className="muted">{m.user}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
