import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { walkTree } from '../snapshot/walk-tree.js';
import { hashFile } from '../snapshot/hash-file.js';
import { mapLimit } from '../snapshot/map-limit.js';
import type { IgnoreRules } from '../snapshot/ignore-rules.js';
import type { ManifestFile } from './upload-snapshot.js';

/**
 * Files from this size on are not hashed up front: unless the workspace holds a blob of
 * the same size (then the file may be one it has, and it is hashed first), the server
 * hashes it as it arrives, which takes the client's hashing (~0.75 s per GB here) off the
 * critical path.
 */
export const HASH_WHILE_UPLOADING_MIN = 16 * 1024 * 1024;

async function entryOf(abs: string, path: string, size: number, mode: number): Promise<ManifestFile> {
  if (size >= HASH_WHILE_UPLOADING_MIN) return { path, size, mode };
  return { path, ...(await hashFile(abs, size)), mode };
}

/** Data is uploaded whole: ignore files inside a data folder do not apply to it. */
const NO_RULES: IgnoreRules = { source: 'none', isIgnored: async () => false, filesRead: () => [] };

export interface DataManifest {
  files: ManifestFile[];
  absPaths: Map<string, string>;
  /** For uri_file: the file's name inside the snapshot. */
  fileName?: string;
}

/** The manifest of a local input: one file (uri_file) or a whole folder (uri_folder). */
export async function dataManifest(path: string, type: 'uri_file' | 'uri_folder', describe: string): Promise<DataManifest> {
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new Error(`${describe}: local path ${abs} does not exist`);
  if (type === 'uri_file') {
    if (!info.isFile()) throw new Error(`${describe}: type uri_file needs a file, but ${abs} is a folder (use type: uri_folder)`);
    const name = basename(abs);
    return { files: [await entryOf(abs, name, info.size, info.mode & 0o111 ? 0o755 : 0o644)], absPaths: new Map([[name, abs]]), fileName: name };
  }
  if (!info.isDirectory()) throw new Error(`${describe}: type uri_folder needs a folder, but ${abs} is a file (use type: uri_file)`);
  const walk = await walkTree(abs, NO_RULES);
  const files = await mapLimit(walk.files, 8, (f) => entryOf(f.absPath, f.path, f.size, f.mode));
  return { files, absPaths: new Map(walk.files.map((f) => [f.path, f.absPath])) };
}
