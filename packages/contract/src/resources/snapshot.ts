import { z } from 'zod';
import { Millis } from './common.js';

export const SnapshotFile = z.object({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** Unix permission bits; only the executable bit is kept meaningful. */
  mode: z.number().int().optional(),
});
export type SnapshotFile = z.infer<typeof SnapshotFile>;

export const CreateSnapshot = z.object({ files: z.array(SnapshotFile).max(200_000) });

export const Snapshot = z.object({
  id: z.string(),
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  created_at: Millis,
  files: z.array(SnapshotFile),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const MissingBlobsRequest = z.object({
  hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(200_000),
  /** Sizes of large files not hashed yet: the answer says which of them the workspace holds a blob of. */
  sizes: z.array(z.number().int().nonnegative()).max(200_000).optional(),
});
export const MissingBlobs = z.object({
  missing: z.array(z.string()),
  /** Of the asked `sizes`, those the workspace holds some blob of (a file of another size is certainly new). */
  known_sizes: z.array(z.number().int()).optional(),
});

/**
 * A blob pack: many small content-addressed blobs in one request body, so a folder of
 * thousands of small files is tens of requests, not thousands. The body is entries back
 * to back, each the blob's sha256 (32 raw bytes), its size (uint32, big-endian) and its
 * bytes. The server checks every entry before storing any: one wrong hash or a truncated
 * body refuses the whole pack and stores nothing, so a failed pack is simply sent again.
 */
export const BLOB_PACK = {
  /** Bytes in front of each entry's content: sha256 (32) + size (4). */
  entryHeader: 36,
  /** A body larger than this is refused (the server holds one pack in memory). */
  maxBytes: 64 * 1024 * 1024,
  maxEntries: 10_000,
} as const;

export const BlobPackResult = z.object({
  /** Entries in the pack (blobs the server already held count too). */
  blobs: z.number().int(),
  bytes: z.number().int(),
});
export type BlobPackResult = z.infer<typeof BlobPackResult>;
