import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Read size for files known to be large: fewer, larger chunks hash faster (the default is 64 KiB). */
const LARGE_CHUNK = 1024 * 1024;

/**
 * SHA-256 (hex) and byte count of a file, streamed so a large file never sits in memory.
 * `sizeHint` (the size from a directory walk or stat) lets a large file be read in
 * larger chunks; small files keep the default, as each read allocates a whole chunk.
 */
export async function hashFile(path: string, sizeHint?: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, sizeHint !== undefined && sizeHint > LARGE_CHUNK ? { highWaterMark: LARGE_CHUNK } : {})) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}
