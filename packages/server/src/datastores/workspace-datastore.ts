import type { Readable } from 'node:stream';
import { notFound, type DatastoreFile } from '@lathe/contract';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { DataDb } from '../data/data-tables.js';
import type { DatastoreFiles } from './datastore-files.js';

/**
 * `workspaceblobstore`, the server's own blob store seen as a datastore, with Azure ML's
 * layout: `LocalUpload/<snapshot>/…` holds files uploaded from a local path (stored
 * content-addressed, so unchanged files are never stored twice) and
 * `azureml/<job>/<output>/…` a job's named outputs.
 */
export class WorkspaceDatastore implements DatastoreFiles {
  constructor(private readonly wsId: number, private readonly db: DataDb, private readonly snapshots: SnapshotService, private readonly artifacts: ArtifactService) {}

  private async runOf(job: string): Promise<string> {
    const row = await this.db.selectFrom('runs').select('id').where('id', '=', job).where('workspace_id', '=', this.wsId).executeTakeFirst();
    if (!row) throw notFound(`workspaceblobstore: job '${job}' not found`);
    return row.id;
  }

  async list(prefix: string): Promise<DatastoreFile[]> {
    let m = /^LocalUpload\/([0-9a-f]{64})(?:\/(.*))?$/.exec(prefix);
    if (m) {
      const snap = await this.snapshots.get(this.wsId, m[1]!);
      const under = m[2] ?? '';
      return snap.files.filter((f) => f.path.startsWith(under)).map((f) => ({ path: `LocalUpload/${m![1]}/${f.path}`, size: f.size, sha256: f.sha256 }));
    }
    m = /^azureml\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(prefix);
    if (m) {
      const runId = await this.runOf(m[1]!);
      const base = `named-outputs/${m[2]}/`;
      const out: DatastoreFile[] = [];
      let token: string | undefined;
      do {
        const page = await this.artifacts.list(runId, { prefix: base + (m[3] ?? ''), max_results: 10_000, ...(token ? { page_token: token } : {}) });
        for (const a of page.items) out.push({ path: `azureml/${m[1]}/${m[2]}/${a.path.slice(base.length)}`, size: a.size, sha256: a.sha256 });
        token = page.next_page_token ?? undefined;
      } while (token);
      return out;
    }
    return [];
  }

  async open(path: string): Promise<Readable> {
    let m = /^LocalUpload\/([0-9a-f]{64})\/(.+)$/.exec(path);
    if (m) {
      const snap = await this.snapshots.get(this.wsId, m[1]!);
      const f = snap.files.find((x) => x.path === m![2]);
      if (!f) throw notFound(`workspaceblobstore: ${path} not found`);
      return this.snapshots.downloadBlob(this.wsId, f.sha256);
    }
    m = /^azureml\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (m) return (await this.artifacts.download(await this.runOf(m[1]!), `named-outputs/${m[2]}/${m[3]}`)).stream;
    throw notFound(`workspaceblobstore: ${path} not found (its paths are LocalUpload/<upload>/… and azureml/<job>/<output>/…)`);
  }
}
