import { createReadStream } from 'node:fs';
import type { LatheClient } from '@lathe/client';
import type { Snapshot, SnapshotFile } from '@lathe/contract';
import type { Output } from '../output/output.js';
import { formatBytes } from '../output/format.js';

export interface UploadStats {
  uploadedFiles: number;
  uploadedBytes: number;
  skippedFiles: number;
  skippedBytes: number;
}

/**
 * Upload what the server lacks of a manifest, then record the snapshot. Unchanged
 * content is never sent twice: the server answers which hashes it is missing.
 */
export async function uploadSnapshot(
  client: LatheClient, files: SnapshotFile[], absPaths: ReadonlyMap<string, string>, out: Output, label: string,
): Promise<{ snapshot: Snapshot; stats: UploadStats }> {
  const { missing } = await client.call('findMissingBlobs', { body: { hashes: files.map((f) => f.sha256) } });
  const need = new Set(missing);
  const toSend = new Map<string, SnapshotFile>();
  for (const f of files) if (need.has(f.sha256) && !toSend.has(f.sha256)) toSend.set(f.sha256, f);
  const total = [...toSend.values()].reduce((n, f) => n + f.size, 0);
  let done = 0;
  const queue = [...toSend.values()];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const abs = absPaths.get(f.path)!;
      await client.upload('uploadBlob', { params: { sha256: f.sha256 } }, createReadStream(abs), f.size);
      done += f.size;
      out.progress(done, total, `Uploading ${label}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  out.endProgress();
  const snapshot = await client.call('createSnapshot', { body: { files } });
  const sent = [...toSend.values()];
  const stats: UploadStats = {
    uploadedFiles: sent.length,
    uploadedBytes: total,
    skippedFiles: files.length - files.filter((f) => need.has(f.sha256)).length,
    skippedBytes: files.filter((f) => !need.has(f.sha256)).reduce((n, f) => n + f.size, 0),
  };
  out.note(`${label}: uploaded ${formatBytes(stats.uploadedBytes)} (${stats.uploadedFiles} file(s)), skipped ${formatBytes(stats.skippedBytes)} (${stats.skippedFiles} file(s) already on the server)`);
  return { snapshot, stats };
}
