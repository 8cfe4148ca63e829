import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { FileBrowser, type FileSource } from '../../components/file-browser/file-browser';
import { ErrorPanel, Loading } from '../../components/states';
import { formatBytes, formatDateTime } from '../../lib/format';
import { StageBadge } from './model-detail';
import { signatureFields, type SignatureField } from './signature';

function SignatureTable({ title, fields }: { title: string; fields: SignatureField[] | null }) {
  if (!fields) return null;
  return (
    <div>
      <div className="queue-title">{title}</div>
      <table className="table compact">
        <tbody>
          {fields.map((f, i) => (
            <tr key={i}>
              <td className="mono">{f.name}</td>
              <td className="mono muted">
                {f.type}
                {f.shape ? ` ${f.shape}` : ''}
                {f.optional ? ' (optional)' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ModelVersionPage() {
  const { name = '', version = '' } = useParams();
  const { ws, client } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  const [search, setSearch] = useSearchParams();
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Models', to: `${base}/models` }, { label: name, to: `${base}/models/${encodeURIComponent(name)}` }, { label: `v${version}` }]);
  const v = useApi(`model-version:${ws}:${name}:${version}`, () => client.call('getModelVersion', { params: { name, version } }));
  const snapshotId = v.data?.snapshot_id ?? null;
  const source: FileSource | null = useMemo(() => {
    if (!snapshotId) return null;
    let sha: Map<string, string> | undefined;
    const list = async () => {
      const snap = await client.call('getSnapshot', { params: { id: snapshotId } });
      sha = new Map(snap.files.map((f) => [f.path, f.sha256]));
      return snap.files.map((f) => ({ path: f.path, size: f.size }));
    };
    return {
      key: `model-files:${ws}:${snapshotId}`,
      list,
      open: async (path) => {
        if (!sha) await list();
        const h = sha!.get(path);
        if (!h) throw new Error(`${path} is not in this model`);
        return client.download('downloadBlob', { params: { sha256: h } });
      },
    };
  }, [client, ws, snapshotId]);

  if (v.loading) return <Loading what={`${name} v${version}`} />;
  if (v.error && !v.data) return <div className="page"><ErrorPanel error={v.error} what={`${name} version ${version}`} onRetry={v.reload} /></div>;
  const mv = v.data!;
  const sig = mv.mlmodel?.signature;
  const path = search.get('path');
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {mv.name} <span className="muted">v{mv.version}</span>
        </h1>
        <StageBadge stage={mv.stage} archived={mv.archived} />
        {mv.aliases.map((a) => (
          <span key={a} className="pill">
            @{a}
          </span>
        ))}
      </div>
      {mv.description ? <p className="description">{mv.description}</p> : null}
      <div className="facts-grid">
        <div className="fact">
          <div className="fact-label">Type</div>
          <div className="fact-value mono">{mv.type}</div>
          <div className="fact-sub">{mv.status === 'READY' ? `${mv.file_count} files, ${formatBytes(mv.total_bytes)}` : `${mv.status}${mv.status_message ? `: ${mv.status_message}` : ''}`}</div>
        </div>
        <div className="fact">
          <div className="fact-label">Produced by</div>
          <div className="fact-value">{mv.run_id ? <Link to={`${base}/runs/${encodeURIComponent(mv.run_id)}`}>{mv.run_id}</Link> : <span className="muted">no run recorded</span>}</div>
          <div className="fact-sub mono" title={mv.source}>
            {mv.source}
          </div>
        </div>
        <div className="fact">
          <div className="fact-label">Registered</div>
          <div className="fact-value">{formatDateTime(mv.created_at)}</div>
          <div className="fact-sub">by {mv.user}</div>
        </div>
        <div className="fact">
          <div className="fact-label">Flavors</div>
          <div className="fact-value mono">{mv.mlmodel?.flavors.join(', ') || <span className="muted">—</span>}</div>
          <div className="fact-sub">{mv.mlmodel ? 'from the MLmodel file' : 'no MLmodel file'}</div>
        </div>
      </div>
      <div className="overview-cols">
        <div className="col">
          <section className="panel">
            <header className="panel-head">
              <span className="panel-title">Signature</span>
            </header>
            <div className="panel-body">
              {sig ? (
                <>
                  <SignatureTable title="Inputs" fields={signatureFields(sig.inputs)} />
                  <SignatureTable title="Outputs" fields={signatureFields(sig.outputs)} />
                  <SignatureTable title="Params" fields={signatureFields(sig.params)} />
                </>
              ) : (
                <div className="muted small">No signature recorded.</div>
              )}
            </div>
          </section>
        </div>
        <div className="col">
          <section className="panel">
            <header className="panel-head">
              <span className="panel-title">Tags and properties</span>
            </header>
            <div className="panel-body">
              <table className="kv">
                <tbody>
                  {[...Object.entries(mv.tags), ...Object.entries(mv.properties)].map(([k, val]) => (
                    <tr key={k}>
                      <th>{k}</th>
                      <td className="mono">{val}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {Object.keys(mv.tags).length + Object.keys(mv.properties).length === 0 ? <div className="muted small">None.</div> : null}
            </div>
          </section>
        </div>
      </div>
      <h2>Files</h2>
      {source ? (
        <FileBrowser source={source} selected={path} onSelect={(p) => setSearch(p ? { path: p } : {}, { replace: true })} emptyText="This version has no files." />
      ) : (
        <div className="muted small">The files are not stored in the registry (source {mv.source}).</div>
      )}
    </div>
  );
}
