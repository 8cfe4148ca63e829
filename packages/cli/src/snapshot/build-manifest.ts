import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SnapshotFile } from '@lathe/contract';
import { hashFile } from './hash-file.js';
import { loadIgnoreRules, type IgnoreSource } from './ignore-rules.js';
import { mapLimit } from './map-limit.js';
import { SnapshotTooLargeError, type SnapshotLimits } from './snapshot-too-large-error.js';
import { walkTree } from './walk-tree.js';

/** Azure ML's snapshot limits: 300 MB and 2000 files. */
export const MAX_SNAPSHOT_BYTES = 300 * 1024 * 1024;
export const MAX_SNAPSHOT_FILES = 2000;
export const DEFAULT_SNAPSHOT_LIMITS: Readonly<SnapshotLimits> = Object.freeze({
  maxBytes: MAX_SNAPSHOT_BYTES,
  maxFiles: MAX_SNAPSHOT_FILES,
});

/** Enough reads in flight to keep a disk busy without exhausting file handles. */
const HASH_CONCURRENCY = 8;
/** Counting far past the file limit only makes a hopeless walk slower. */
const COUNT_PAST_LIMIT = 10;

/** What a code snapshot holds, ready for `CreateSnapshot` and the blob upload. */
export interface Manifest {
  /** The code folder, absolute and symlink-free. */
  root: string;
  /** In path order; paths are posix and relative to the root. */
  files: SnapshotFile[];
  totalBytes: number;
  fileCount: number;
  /** Manifest path → file to read when uploading it. */
  absPaths: Map<string, string>;
  /** Which ignore files decided what was left out, and which of them were read. */
  ignoreSource: IgnoreSource;
  ignoreFiles: string[];
  /** Skipped symlinks and unreadable folders, for the user. */
  warnings: string[];
}

/**
 * Build the snapshot manifest of a code folder as Azure ML would upload it: ignore rules
 * applied, every kept file hashed (SHA-256, streamed, a few at a time).
 * @throws SnapshotTooLargeError when the kept files exceed `limits`; checked before any
 *   hashing so an oversized folder fails fast.
 * @throws Error naming the path when the folder is missing or is not a folder.
 */
export async function buildManifest(root: string, limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS): Promise<Manifest> {
  const absRoot = resolve(root);
  const rootStat = await stat(absRoot).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`code folder not found: ${absRoot}`);
    throw new Error(`cannot read the code folder ${absRoot}: ${err.message}`);
  });
  if (!rootStat.isDirectory()) throw new Error(`the code path is not a folder: ${absRoot}`);
  const realRoot = await realpath(absRoot);

  const rules = await loadIgnoreRules(realRoot);
  const walk = await walkTree(realRoot, rules, limits.maxFiles * COUNT_PAST_LIMIT);
  const statBytes = walk.files.reduce((sum, f) => sum + f.size, 0);
  if (!walk.complete || walk.files.length > limits.maxFiles || statBytes > limits.maxBytes) {
    const totals = { fileCount: walk.files.length, totalBytes: statBytes, complete: walk.complete };
    throw new SnapshotTooLargeError(absRoot, totals, limits, walk.files, rules.source);
  }

  const hashed = await mapLimit(walk.files, HASH_CONCURRENCY, async (f) => ({ ...(await hashFile(f.absPath)), f }));
  const files: SnapshotFile[] = hashed.map(({ sha256, size, f }) => ({ path: f.path, sha256, size, mode: f.mode }));
  return {
    root: realRoot,
    files,
    // Sizes as hashed, not as first seen: if a file changed in between, these match the content.
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    fileCount: files.length,
    absPaths: new Map(walk.files.map((f) => [f.path, f.absPath])),
    ignoreSource: rules.source,
    ignoreFiles: rules.filesRead(),
    warnings: walk.warnings,
  };
}
