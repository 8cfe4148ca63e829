import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { readFile } from 'node:fs/promises';
import type { LatheClient } from '@lathe/client';
import { BLOB_PACK, type Snapshot, type SnapshotFile } from '@lathe/contract';
import type { Output } from '../output/output.js';
import { formatBytes } from '../output/format.js';
import { mapLimit } from '../snapshot/map-limit.js';
import { hashFile } from '../snapshot/hash-file.js';

/** A manifest entry; `sha256` is absent for a large file not hashed yet (see HASH_WHILE_UPLOADING_MIN). */
export type ManifestFile = Omit<SnapshotFile, 'sha256'> & { sha256?: string | undefined };

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
 * files go in packs (`BLOB_PACK`), large ones as streams; both kinds at once. A large
 * file not hashed yet is sent as it is and named by the server's hash, unless the
 * workspace holds a blob of its size (then it may be a file the server has: it is hashed
 * first and asked about).
 * Fills in the sha256 of the entries that had none.
 */
export async function uploadSnapshot(
  client: LatheClient, manifest: ManifestFile[], absPaths: ReadonlyMap<string, string>, out: Output, label: string,
): Promise<{ snapshot: Snapshot; stats: UploadStats }> {
  const pathOf = (f: { path: string }) => absPaths.get(f.path)!;
  const unhashed = manifest.filter((f) => f.sha256 === undefined);
  const hashed = (fs: ManifestFile[]) => fs.filter((f): f is SnapshotFile => f.sha256 !== undefined);
  let answer = await client.call('findMissingBlobs', { body: { hashes: hashed(manifest).map((f) => f.sha256), ...(unhashed.length ? { sizes: unhashed.map((f) => f.size) } : {}) } });
  const knownSizes = new Set(answer.known_sizes ?? []);
  const mayBeKnown = unhashed.filter((f) => knownSizes.has(f.size));
  if (mayBeKnown.length > 0) {
    await mapLimit(mayBeKnown, FILES_IN_FLIGHT, async (f) => Object.assign(f, await hashFile(pathOf(f), f.size)));
    answer = await client.call('findMissingBlobs', { body: { hashes: hashed(manifest).map((f) => f.sha256) } });
  }
  const need = new Set(answer.missing);
  const toSend = new Map<string, SnapshotFile>();
  for (const f of hashed(manifest)) if (need.has(f.sha256) && !toSend.has(f.sha256)) toSend.set(f.sha256, f);
  const sent = [...toSend.values()];
  const streamed = manifest.filter((f) => f.sha256 === undefined);
  const total = [...sent, ...streamed].reduce((n, f) => n + f.size, 0);
  let done = 0;
  const advance = (bytes: number) => {
    done += bytes;
    out.progress(done, total, `Uploading ${label}`);
  };
  const small = sent.filter((f) => f.size <= PACK_FILE_MAX);
  const large = sent.filter((f) => f.size > PACK_FILE_MAX);
  await Promise.all([
    mapLimit(packsOf(small), PACKS_IN_FLIGHT, async (pack) => {
      const body = await readPack(pack, pathOf);
      await client.upload('uploadBlobPack', {}, body, body.length);
      advance(body.length - pack.length * BLOB_PACK.entryHeader);
    }),
    mapLimit([...large, ...streamed], FILES_IN_FLIGHT, async (f) => {
      if (f.sha256 !== undefined) await client.upload('uploadBlob', { params: { sha256: f.sha256 } }, createReadStream(pathOf(f), { highWaterMark: READ_CHUNK }), f.size);
      else f.sha256 = await uploadUnhashed(client, pathOf(f), f.size);
      advance(f.size);
    }),
  ]);
  out.endProgress();
  const files = hashed(manifest);
  const snapshot = await client.call('createSnapshot', { body: { files } });
  const streamedSet = new Set<ManifestFile>(streamed);
  const skipped = files.filter((f) => !need.has(f.sha256) && !streamedSet.has(f));
  const stats: UploadStats = {
    uploadedFiles: sent.length + streamed.length,
    uploadedBytes: total,
    skippedFiles: skipped.length,
    skippedBytes: skipped.reduce((n, f) => n + f.size, 0),
  };
  out.note(`${label}: uploaded ${formatBytes(stats.uploadedBytes)} (${stats.uploadedFiles} file(s)), skipped ${formatBytes(stats.skippedBytes)} (${stats.skippedFiles} file(s) already on the server)`);
  return { snapshot, stats };
}

/**
 * Send a large file unhashed; the server hashes what it receives, stores it under that
 * hash and answers it, which becomes the file's hash in the manifest. Hashing here too
 * would only re-check the loopback or network (TCP does) at the cost of a core: a file
 * rewritten during the upload is not caught by either side's hash, as both would hash the
 * same bytes. The file must still be the size it was: the request declared that length.
 */
async function uploadUnhashed(client: LatheClient, abs: string, size: number): Promise<string> {
  let read = 0;
  const changed = () => new Error(`${abs} changed while it was being uploaded (${read} bytes read, ${size} expected); run the command again`);
  // A file that grew or shrank since must end the request with an error, not hang it.
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      cb(read > size ? changed() : null, chunk);
    },
    flush(cb) {
      cb(read < size ? changed() : null);
    },
  });
  const source = createReadStream(abs, { highWaterMark: READ_CHUNK });
  source.on('error', (err) => meter.destroy(err));
  const got = await client.upload('uploadBlobStreamed', {}, source.pipe(meter), size).catch((err: unknown) => {
    throw read !== size ? changed() : err;
  });
  if (got.size !== size) throw changed();
  return got.sha256;
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
