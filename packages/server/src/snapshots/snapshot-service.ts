import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid, notFound, precondition, sha256 as checkSha, type Snapshot, type SnapshotFile } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { BlobStore } from '../storage/blob-store.js';
import { safeRelativePath } from '../artifacts/artifact-path.js';

const blobKey = (sha: string) => `cas/${sha.slice(0, 2)}/${sha}`;

/**
 * Content-addressed code snapshots. Blobs are stored once by sha256; a workspace sees
 * only blobs it uploaded itself, so presence never leaks content across workspaces.
 */
export class SnapshotService {
  constructor(private readonly db: Db, private readonly blobs: BlobStore) {}

  async missing(wsId: number, hashes: string[]): Promise<string[]> {
    const wanted = [...new Set(hashes)];
    const have = new Set<string>();
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await this.db.selectFrom('cas_blobs').select('sha256').where('workspace_id', '=', wsId).where('sha256', 'in', wanted.slice(i, i + 500)).execute();
      for (const r of rows) have.add(r.sha256);
    }
    return wanted.filter((h) => !have.has(h));
  }

  /** Store a blob after checking its bytes hash to the name it was uploaded under. */
  async uploadBlob(wsId: number, sha: string, body: Readable): Promise<{ sha256: string; size: number }> {
    checkSha(sha);
    const key = blobKey(sha);
    let got: { sha256: string; size: number };
    // Any workspace's record of this hash means the bytes are stored: no round trip to the store.
    const stored = await this.db.selectFrom('cas_blobs').select('sha256').where('sha256', '=', sha).limit(1).executeTakeFirst();
    if (stored) {
      got = await hashStream(body);
    } else {
      got = await this.blobs.put(key, body);
      if (got.sha256 !== sha) await this.blobs.delete(key);
    }
    if (got.sha256 !== sha) throw invalid(`blob content hashes to ${got.sha256}, not ${sha}; nothing was stored`);
    await this.db.insertInto('cas_blobs').values({ workspace_id: wsId, sha256: sha, size: got.size, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing()).execute();
    return got;
  }

  async downloadBlob(wsId: number, sha: string): Promise<Readable> {
    checkSha(sha);
    const row = await this.db.selectFrom('cas_blobs').select('sha256').where('workspace_id', '=', wsId).where('sha256', '=', sha).executeTakeFirst();
    if (!row) throw notFound(`blob ${sha} not found in this workspace`);
    return this.blobs.get(blobKey(sha));
  }

  async create(wsId: number, files: SnapshotFile[]): Promise<Snapshot> {
    const byPath = new Map<string, SnapshotFile>();
    for (const f of files) {
      safeRelativePath(f.path, 'snapshot entry');
      if (byPath.has(f.path)) throw invalid(`snapshot lists '${f.path}' twice`);
      byPath.set(f.path, { path: f.path, sha256: f.sha256, size: f.size, mode: (f.mode ?? 0o644) & 0o777 });
    }
    const sorted = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
    const missing = await this.missing(wsId, sorted.map((f) => f.sha256));
    if (missing.length > 0) throw precondition(`${missing.length} blob(s) of this snapshot were not uploaded yet`, { missing: missing.slice(0, 100) });
    const manifest = JSON.stringify(sorted);
    const id = createHash('sha256').update(manifest).digest('hex');
    const totalBytes = sorted.reduce((n, f) => n + f.size, 0);
    const now = Date.now();
    await this.db.insertInto('snapshots').values({ workspace_id: wsId, id, manifest, file_count: sorted.length, total_bytes: totalBytes, created_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'id']).doNothing()).execute();
    return { id, file_count: sorted.length, total_bytes: totalBytes, created_at: now, files: sorted };
  }

  async get(wsId: number, id: string): Promise<Snapshot> {
    const row = await this.db.selectFrom('snapshots').selectAll().where('workspace_id', '=', wsId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`snapshot ${id} not found`);
    return { id, file_count: row.file_count, total_bytes: Number(row.total_bytes), created_at: Number(row.created_at), files: JSON.parse(row.manifest) as SnapshotFile[] };
  }
}

async function hashStream(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  await pipeline(body, sink);
  return { sha256: hash.digest('hex'), size };
}
