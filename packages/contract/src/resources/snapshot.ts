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

export const MissingBlobsRequest = z.object({ hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(200_000) });
export const MissingBlobs = z.object({ missing: z.array(z.string()) });
