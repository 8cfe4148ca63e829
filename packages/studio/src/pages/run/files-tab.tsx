import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { LatheClient } from '@lathe/client';
import { FileBrowser, type FileSource } from '../../components/file-browser/file-browser';
import type { FileEntry } from '../../components/file-browser/file-tree';
import { Empty } from '../../components/states';
import { useRunView } from './run-context';

function artifactSource(client: LatheClient, ws: string, runId: string, version: string): FileSource {
  return {
    key: `artifacts:${ws}:${runId}:${version}`,
    list: async () => {
      const out: FileEntry[] = [];
      let page_token: string | undefined;
      do {
        const page = await client.call('listArtifacts', { params: { run: runId }, query: { max_results: 10_000, page_token } });
        out.push(...page.items.map((a) => ({ path: a.path, size: a.size })));
        page_token = page.next_page_token ?? undefined;
      } while (page_token && out.length < 200_000);
      return out;
    },
    open: (path) => client.download('downloadArtifact', { params: { run: runId }, query: { path } }),
  };
}

function snapshotSource(client: LatheClient, ws: string, snapshotId: string): FileSource {
  let shaByPath: Map<string, string> | undefined;
  const list = async () => {
    const snap = await client.call('getSnapshot', { params: { id: snapshotId } });
    shaByPath = new Map(snap.files.map((f) => [f.path, f.sha256]));
    return snap.files.map((f) => ({ path: f.path, size: f.size }));
  };
  return {
    key: `snapshot:${ws}:${snapshotId}`,
    list,
    open: async (path) => {
      if (!shaByPath) await list();
      const sha = shaByPath!.get(path);
      if (!sha) throw new Error(`${path} is not in this snapshot`);
      return client.download('downloadBlob', { params: { sha256: sha } });
    },
  };
}

function usePathParam(): [string | null, (p: string | null) => void] {
  const [search, setSearch] = useSearchParams();
  const path = search.get('path');
  const set = (p: string | null) => {
    const next = new URLSearchParams(search);
    if (p) next.set('path', p);
    else next.delete('path');
    setSearch(next, { replace: true });
  };
  return [path, set];
}

export function OutputsTab() {
  const { run, client, ws, active } = useRunView();
  const [path, setPath] = usePathParam();
  // While the run is active its outputs are still arriving: list again when it ends.
  const source = useMemo(() => artifactSource(client, ws, run.id, active ? 'active' : run.status), [client, ws, run.id, active, run.status]);
  return (
    <FileBrowser
      source={source}
      selected={path}
      onSelect={setPath}
      emptyText={active ? 'Outputs are uploaded when the run finishes: files the script writes to ./outputs, ./logs and named outputs.' : 'This run uploaded no outputs.'}
    />
  );
}

export function SnapshotTab() {
  const { run, client, ws } = useRunView();
  const [search, setSearch] = useSearchParams();
  const [path, setPath] = usePathParam();
  const job = run.job;
  const sources = useMemo(() => {
    const out: Array<{ id: string; label: string; snapshotId: string }> = [];
    if (job?.code_snapshot_id) out.push({ id: 'code', label: 'Code', snapshotId: job.code_snapshot_id });
    for (const [name, input] of Object.entries(job?.inputs ?? {})) if (input.kind === 'data') out.push({ id: `input:${name}`, label: `Input: ${name}`, snapshotId: input.snapshot_id });
    return out;
  }, [job]);
  const current = sources.find((s) => s.id === (search.get('source') ?? 'code')) ?? sources[0];
  const source = useMemo(() => (current ? snapshotSource(client, ws, current.snapshotId) : null), [client, ws, current]);
  if (!current || !source) return <Empty title="No code snapshot">This run was created by logging alone (no submitted code).</Empty>;
  return (
    <div className="snapshot-tab">
      {sources.length > 1 ? (
        <div className="segmented source-picker" role="tablist" aria-label="Snapshot">
          {sources.map((s) => (
            <button key={s.id} type="button" role="tab" aria-selected={s.id === current.id} className={s.id === current.id ? 'on' : ''} onClick={() => setSearch({ source: s.id })}>
              {s.label}
            </button>
          ))}
        </div>
      ) : null}
      <FileBrowser source={source} selected={path} onSelect={setPath} emptyText="The snapshot is empty." />
    </div>
  );
}
