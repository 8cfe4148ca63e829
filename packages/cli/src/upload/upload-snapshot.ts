import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { LatheClient } from '@lathe/client';
import { BLOB_PACK, type Snapshot, type SnapshotFile } from '@lathe/contract';
import type { Output } from '../output/output.js';
import { formatBytes } from '../output/format.js';
import { mapLimit } from '../snapshot/map-limit.js';

/** Files up to this size travel in packs (many per request); larger ones stream one per request. */
const PACK_FILE_MAX = 1024 * 1024;
/** A pack is closed at this many bytes or entries: large enough to spare round trips, small enough to pipeline. */
const PACK_BYTES = 4 * 1024 * 1024;
const PACK_ENTRIES = 500;
/** Packs in flight; the server stores each pack's blobs several at a time, so two keep it busy. */
const PACKS_IN_FLIGHT = 2;
/** Large files in flight, each a streamed request (the server stages its blocks in parallel). */
const FILES_IN_FLIGHT = 2;
/** Read size for large files: fewer, larger chunks through fetch and the server's hashing. */
const READ_CHUNK = 1024 * 1024;

export interface UploadStats {
  uploadedFiles: number;
  uploadedBytes: number;
  skippedFiles: number;
  skippedBytes: number;
}

/**
 * Upload what the server lacks of a manifest, then record the snapshot. Unchanged
 * content is never sent twice: the server answers which hashes it is missing. Small
 * files go in packs (`BLOB_PACK`), large ones as streams; both kinds at once.
 */
export async function uploadSnapshot(
  client: LatheClient, files: SnapshotFile[], absPaths: ReadonlyMap<string, string>, out: Output, label: string,
): Promise<{ snapshot: Snapshot; stats: UploadStats }> {
  const { missing } = await client.call('findMissingBlobs', { body: { hashes: files.map((f) => f.sha256) } });
  const need = new Set(missing);
  const toSend = new Map<string, SnapshotFile>();
  for (const f of files) if (need.has(f.sha256) && !toSend.has(f.sha256)) toSend.set(f.sha256, f);
  const sent = [...toSend.values()];
  const total = sent.reduce((n, f) => n + f.size, 0);
  let done = 0;
  const advance = (bytes: number) => {
    done += bytes;
    out.progress(done, total, `Uploading ${label}`);
  };
  const small = sent.filter((f) => f.size <= PACK_FILE_MAX);
  const large = sent.filter((f) => f.size > PACK_FILE_MAX);
  const pathOf = (f: SnapshotFile) => absPaths.get(f.path)!;
  await Promise.all([
    mapLimit(packsOf(small), PACKS_IN_FLIGHT, async (pack) => {
      const body = await readPack(pack, pathOf);
      await client.upload('uploadBlobPack', {}, body, body.length);
      advance(body.length - pack.length * BLOB_PACK.entryHeader);
    }),
    mapLimit(large, FILES_IN_FLIGHT, async (f) => {
      await client.upload('uploadBlob', { params: { sha256: f.sha256 } }, createReadStream(pathOf(f), { highWaterMark: READ_CHUNK }), f.size);
      advance(f.size);
    }),
  ]);
  out.endProgress();
  const snapshot = await client.call('createSnapshot', { body: { files } });
  const stats: UploadStats = {
    uploadedFiles: sent.length,
    uploadedBytes: total,
    skippedFiles: files.length - files.filter((f) => need.has(f.sha256)).length,
    skippedBytes: files.filter((f) => !need.has(f.sha256)).reduce((n, f) => n + f.size, 0),
  };
  out.note(`${label}: uploaded ${formatBytes(stats.uploadedBytes)} (${stats.uploadedFiles} file(s)), skipped ${formatBytes(stats.skippedBytes)} (${stats.skippedFiles} file(s) already on the server)`);
  return { snapshot, stats };
}

/** Group small files into packs of at most PACK_BYTES / PACK_ENTRIES. */
function packsOf(files: SnapshotFile[]): SnapshotFile[][] {
  const packs: SnapshotFile[][] = [];
  let current: SnapshotFile[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = BLOB_PACK.entryHeader + f.size;
    if (current.length > 0 && (current.length >= PACK_ENTRIES || bytes + size > PACK_BYTES)) {
      packs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

/**
 * A pack body: each file's sha256, size and bytes. A file that no longer matches the
 * hash it was listed with fails here, by name, rather than as a refused pack.
 */
async function readPack(files: SnapshotFile[], pathOf: (f: SnapshotFile) => string): Promise<Buffer> {
  const contents = await mapLimit(files, 8, async (f) => {
    const abs = pathOf(f);
    const bytes = await readFile(abs);
    if (bytes.length !== f.size || createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
      throw new Error(`${abs} changed while it was being uploaded; run the command again`);
    }
    return bytes;
  });
  const body = Buffer.allocUnsafe(files.reduce((n, f) => n + BLOB_PACK.entryHeader + f.size, 0));
  let at = 0;
  files.forEach((f, i) => {
    at += body.write(f.sha256, at, 'hex');
    at = body.writeUInt32BE(f.size, at);
    at += contents[i]!.copy(body, at);
  });
  return body;
}
