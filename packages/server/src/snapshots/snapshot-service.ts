import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BLOB_PACK, invalid, notFound, precondition, sha256 as checkSha, type BlobPackResult, type Snapshot, type SnapshotFile } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { BlobStore } from '../storage/blob-store.js';
import { safeRelativePath } from '../artifacts/artifact-path.js';

const blobKey = (sha: string) => `cas/${sha.slice(0, 2)}/${sha}`;
/** Blob store puts in flight for one pack: a pack is many tiny objects, each one request to the store. */
const PACK_PUTS = 8;
/** Hashes per `IN (…)` query, well under SQLite's bound-variable limit. */
const QUERY_CHUNK = 500;

/**
 * Content-addressed code snapshots. Blobs are stored once by sha256; a workspace sees
 * only blobs it uploaded itself, so presence never leaks content across workspaces.
 */
export class SnapshotService {
  constructor(private readonly db: Db, private readonly blobs: BlobStore) {}

  async missing(wsId: number, hashes: string[]): Promise<string[]> {
    const wanted = [...new Set(hashes)];
    const have = new Set<string>();
    for (let i = 0; i < wanted.length; i += QUERY_CHUNK) {
      const rows = await this.db.selectFrom('cas_blobs').select('sha256').where('workspace_id', '=', wsId).where('sha256', 'in', wanted.slice(i, i + QUERY_CHUNK)).execute();
      for (const r of rows) have.add(r.sha256);
    }
    return wanted.filter((h) => !have.has(h));
  }

  /** Of these sizes, those the workspace holds some blob of. */
  async knownSizes(wsId: number, sizes: number[]): Promise<number[]> {
    const wanted = [...new Set(sizes)];
    const known: number[] = [];
    for (let i = 0; i < wanted.length; i += QUERY_CHUNK) {
      const rows = await this.db.selectFrom('cas_blobs').select('size').distinct().where('workspace_id', '=', wsId).where('size', 'in', wanted.slice(i, i + QUERY_CHUNK)).execute();
      for (const r of rows) known.push(Number(r.size));
    }
    return known;
  }

  /** Which of these hashes any workspace has recorded: their bytes are in the store already. */
  private async storedAnywhere(hashes: string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    for (let i = 0; i < hashes.length; i += QUERY_CHUNK) {
      const rows = await this.db.selectFrom('cas_blobs').select('sha256').distinct().where('sha256', 'in', hashes.slice(i, i + QUERY_CHUNK)).execute();
      for (const r of rows) stored.add(r.sha256);
    }
    return stored;
  }

  /** Store a blob after checking its bytes hash to the name it was uploaded under. */
  async uploadBlob(wsId: number, sha: string, body: Readable): Promise<{ sha256: string; size: number }> {
    checkSha(sha);
    let got: { sha256: string; size: number };
    // Any workspace's record of this hash means the bytes are stored: no round trip to the store.
    if ((await this.storedAnywhere([sha])).has(sha)) {
      got = await hashStream(body);
      if (got.sha256 !== sha) throw invalid(`blob content hashes to ${got.sha256}, not ${sha}; nothing was stored`);
    } else {
      // The store checks the hash before the object becomes visible.
      got = await this.blobs.put(blobKey(sha), body, { sha256: sha });
    }
    await this.db.insertInto('cas_blobs').values({ workspace_id: wsId, sha256: sha, size: got.size, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing()).execute();
    return got;
  }

  /**
   * Store a blob whose hash is not known yet (a large new file the client hashes as it
   * sends): the bytes go to a temporary key while the store hashes them, then move, inside
   * the store, to their content address. The client compares the answer with its own hash.
   */
  async uploadStreamed(wsId: number, body: Readable): Promise<{ sha256: string; size: number }> {
    const incoming = `cas-incoming/${randomUUID()}`;
    let got: { sha256: string; size: number };
    try {
      got = await this.blobs.put(incoming, body);
      if ((await this.storedAnywhere([got.sha256])).has(got.sha256)) await this.blobs.delete(incoming);
      else await this.blobs.move(incoming, blobKey(got.sha256));
    } catch (err) {
      await this.blobs.delete(incoming).catch(() => undefined);
      throw err;
    }
    await this.db.insertInto('cas_blobs').values({ workspace_id: wsId, sha256: got.sha256, size: got.size, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing()).execute();
    return got;
  }

  /**
   * Store a pack of small blobs (format: `BLOB_PACK`). Every entry is checked before any is
   * stored, so a bad pack leaves nothing behind; the workspace's records are written in
   * one transaction after every put succeeded, so a pack that fails part-way is simply
   * sent again (re-putting identical bytes under a content-addressed key is harmless).
   */
  async uploadPack(wsId: number, body: Readable): Promise<BlobPackResult> {
    const entries = parsePack(await readBounded(body, BLOB_PACK.maxBytes));
    const unique = [...new Map(entries.map((e) => [e.sha256, e])).values()];
    const stored = await this.storedAnywhere(unique.map((e) => e.sha256));
    await forEachLimit(unique.filter((e) => !stored.has(e.sha256)), PACK_PUTS, (e) => this.blobs.put(blobKey(e.sha256), Readable.from([e.bytes]), { sha256: e.sha256 }));
    const now = Date.now();
    const rows = unique.map((e) => ({ workspace_id: wsId, sha256: e.sha256, size: e.bytes.length, created_at: now }));
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += QUERY_CHUNK) {
        await trx.insertInto('cas_blobs').values(rows.slice(i, i + QUERY_CHUNK)).onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing()).execute();
      }
    });
    return { blobs: entries.length, bytes: entries.reduce((n, e) => n + e.bytes.length, 0) };
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

/** The whole body, refused once it passes `max` bytes. */
async function readBounded(body: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const chunk = c as Buffer;
    n += chunk.length;
    if (n > max) throw invalid(`a blob pack may hold at most ${max} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts, n);
}

interface PackEntry {
  sha256: string;
  bytes: Buffer;
}

/** Split a pack into its entries, checking each one's hash; any fault refuses the whole pack. */
function parsePack(buf: Buffer): PackEntry[] {
  const entries: PackEntry[] = [];
  let at = 0;
  while (at < buf.length) {
    const n = entries.length;
    if (n >= BLOB_PACK.maxEntries) throw invalid(`a blob pack may hold at most ${BLOB_PACK.maxEntries} entries; nothing was stored`);
    if (at + BLOB_PACK.entryHeader > buf.length) throw invalid(`blob pack truncated in the header of entry ${n}; nothing was stored`);
    const sha = buf.toString('hex', at, at + 32);
    const size = buf.readUInt32BE(at + 32);
    const start = at + BLOB_PACK.entryHeader;
    if (start + size > buf.length) throw invalid(`blob pack truncated in entry ${n} (${sha}): ${size} bytes announced, ${buf.length - start} sent; nothing was stored`);
    const bytes = buf.subarray(start, start + size);
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sha) throw invalid(`blob pack entry ${n} hashes to ${got}, not ${sha}; nothing was stored`);
    entries.push({ sha256: sha, bytes });
    at = start + size;
  }
  return entries;
}

/** Run `fn` over `items` with at most `limit` calls in flight; rejects with the first failure. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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
