import type { Readable } from 'node:stream';
import { notFound, type Artifact } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { BlobStore } from '../storage/blob-store.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { safeRelativePath } from './artifact-path.js';

/** A run's files: outputs, logs, named outputs. Bytes stream through, never buffered. */
export class ArtifactService {
  constructor(private readonly db: Db, private readonly blobs: BlobStore, private readonly pages: PageTokens) {}

  async upload(runId: string, path: string, body: Readable): Promise<Artifact> {
    safeRelativePath(path, 'artifact path');
    const blobKey = `artifacts/${runId}/${path}`;
    const { size, sha256 } = await this.blobs.put(blobKey, body);
    const row = { run_id: runId, path, size, sha256, blob_key: blobKey, created_at: Date.now() };
    await this.db.insertInto('artifacts').values(row)
      .onConflict((oc) => oc.columns(['run_id', 'path']).doUpdateSet({ size, sha256, created_at: row.created_at })).execute();
    return { path, size, sha256, created_at: row.created_at };
  }

  async download(runId: string, path: string): Promise<{ stream: Readable; size: number }> {
    safeRelativePath(path, 'artifact path');
    const row = await this.db.selectFrom('artifacts').select(['blob_key', 'size']).where('run_id', '=', runId).where('path', '=', path).executeTakeFirst();
    if (!row) throw notFound(`run '${runId}' has no artifact '${path}'`);
    return { stream: await this.blobs.get(row.blob_key), size: Number(row.size) };
  }

  async delete(runId: string, path: string): Promise<void> {
    safeRelativePath(path, 'artifact path');
    const row = await this.db.selectFrom('artifacts').select('blob_key').where('run_id', '=', runId).where('path', '=', path).executeTakeFirst();
    if (!row) throw notFound(`run '${runId}' has no artifact '${path}'`);
    await this.db.deleteFrom('artifacts').where('run_id', '=', runId).where('path', '=', path).execute();
    await this.blobs.delete(row.blob_key);
  }

  async list(runId: string, q: { prefix?: string; max_results?: number; page_token?: string }) {
    const size = q.max_results ?? 1000;
    const scope = `artifacts:${runId}:${q.prefix ?? ''}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    let query = this.db.selectFrom('artifacts').select(['path', 'size', 'sha256', 'created_at']).where('run_id', '=', runId);
    // A range on the primary key instead of LIKE: portable, index-friendly, no escaping.
    if (q.prefix) query = query.where('path', '>=', q.prefix).where('path', '<', `${q.prefix}\uffff`);
    const rows = await query.orderBy('path').limit(size).offset(offset).execute();
    return {
      items: rows.map((r) => ({ path: r.path, size: Number(r.size), sha256: r.sha256, created_at: Number(r.created_at) })),
      next_page_token: nextToken(this.pages, scope, offset, rows.length, size),
    };
  }
}
