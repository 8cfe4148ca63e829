import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadable } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { LatheClient } from '@lathe/client';

/** Write a response body under `root`, refusing any path that would land outside it. */
export async function saveUnder(root: string, rel: string, body: ReadableStream<Uint8Array> | null): Promise<void> {
  const target = resolve(root, rel);
  if (!target.startsWith(resolve(root) + sep)) throw new Error(`refusing to write '${rel}' outside ${root}`);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(Readable.fromWeb(body as WebReadable), createWriteStream(target));
}

/** Download every file of a snapshot (code, model files) into `dest`. */
export async function downloadSnapshot(client: LatheClient, snapshotId: string, dest: string): Promise<{ files: number; bytes: number }> {
  const snap = await client.call('getSnapshot', { params: { id: snapshotId } });
  let bytes = 0;
  for (const f of snap.files) {
    const res = await client.download('downloadBlob', { params: { sha256: f.sha256 } });
    await saveUnder(dest, f.path, res.body);
    bytes += f.size;
  }
  return { files: snap.files.length, bytes };
}
