import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ModelVersion } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { Empty, ErrorPanel, Loading } from '../../components/states';
import { formatBytes, formatDateTime, formatTime } from '../../lib/format';

export function StageBadge({ stage, archived }: { stage: string; archived?: boolean }) {
  const tone = archived ? 'neutral' : stage === 'Production' ? 'ok' : stage === 'Staging' ? 'info' : stage === 'Archived' ? 'neutral' : 'neutral';
  return <span className={`status status-${tone}`}>{archived ? 'Archived' : stage}</span>;
}

export function ModelDetail() {
  const { name = '' } = useParams();
  const { ws, client } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Models', to: `${base}/models` }, { label: name }]);
  const [archived, setArchived] = useState(false);
  const model = useApi(`model:${ws}:${name}`, () => client.call('getModel', { params: { name } }));
  const versions = useApi<ModelVersion[]>(`model-versions:${ws}:${name}:${archived}`, () =>
    client.call('listModelVersions', { params: { name }, query: { include_archived: archived || undefined, max_results: 1000 } }).then((p) => p.items),
  );

  if (model.loading) return <Loading what={`model ${name}`} />;
  if (model.error && !model.data) return <div className="page"><ErrorPanel error={model.error} what={`model ${name}`} onRetry={model.reload} /></div>;
  const m = model.data!;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{m.name}</h1>
        {Object.entries(m.aliases).map(([a, v]) => (
          <Link key={a} className="pill" to={`${base}/models/${encodeURIComponent(name)}/${v}`}>
            @{a} → v{v}
          </Link>
        ))}
        <span className="muted">
          {m.version_count} version{m.version_count === 1 ? '' : 's'} · created {formatDateTime(m.created_at)} by {m.user}
        </span>
      </div>
      {m.description ? <p className="description">{m.description}</p> : null}
      {Object.keys(m.tags).length ? (
        <div className="toolbar">
          {Object.entries(m.tags).map(([k, v]) => (
            <span key={k} className="pill">
              {k}={v}
            </span>
          ))}
        </div>
      ) : null}
      <div className="toolbar">
        <h2>Versions</h2>
        <span className="spacer" />
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
          Show archived
        </label>
      </div>
      {versions.loading ? <Loading what="versions" /> : null}
      {versions.error && !versions.data ? <ErrorPanel error={versions.error} what="versions" onRetry={versions.reload} /> : null}
      {versions.data && versions.data.length === 0 ? <Empty title="No versions" /> : null}
      {versions.data?.length ? (
        <table className="table" data-testid="model-versions">
          <thead>
            <tr>
              <th className="num">Version</th>
              <th>Stage</th>
              <th>Type</th>
              <th>Flavors</th>
              <th>From run</th>
              <th>Tags</th>
              <th className="num">Files</th>
              <th>Created</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {versions.data.map((v) => (
              <tr key={v.version}>
                <td className="num">
                  <Link className="strong" to={`${base}/models/${encodeURIComponent(name)}/${v.version}`}>
                    v{v.version}
                  </Link>
                  {v.aliases.map((a) => (
                    <span key={a} className="pill">
                      @{a}
                    </span>
                  ))}
                </td>
                <td>
                  <StageBadge stage={v.stage} archived={v.archived} />
                </td>
                <td className="mono small">{v.type}</td>
                <td className="mono small">{v.mlmodel?.flavors.join(', ') ?? ''}</td>
                <td>{v.run_id ? <Link to={`${base}/runs/${encodeURIComponent(v.run_id)}`}>{v.run_id}</Link> : <span className="muted">—</span>}</td>
                <td className="muted small">
                  {Object.entries(v.tags)
                    .map(([k, val]) => `${k}=${val}`)
                    .join(', ')}
                </td>
                <td className="num">
                  {v.file_count} <span className="muted small">{formatBytes(v.total_bytes)}</span>
                </td>
                <td title={formatDateTime(v.created_at)}>{formatTime(v.created_at)}</td>
                <td className="muted">{v.user}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
