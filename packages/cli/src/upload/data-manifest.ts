import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { SnapshotFile } from '@lathe/contract';
import { walkTree } from '../snapshot/walk-tree.js';
import { hashFile } from '../snapshot/hash-file.js';
import { mapLimit } from '../snapshot/map-limit.js';
import type { IgnoreRules } from '../snapshot/ignore-rules.js';

/** Data is uploaded whole: ignore files inside a data folder do not apply to it. */
const NO_RULES: IgnoreRules = { source: 'none', isIgnored: async () => false, filesRead: () => [] };

export interface DataManifest {
  files: SnapshotFile[];
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
    const { sha256, size } = await hashFile(abs, info.size);
    const name = basename(abs);
    return { files: [{ path: name, sha256, size, mode: info.mode & 0o111 ? 0o755 : 0o644 }], absPaths: new Map([[name, abs]]), fileName: name };
  }
  if (!info.isDirectory()) throw new Error(`${describe}: type uri_folder needs a folder, but ${abs} is a file (use type: uri_file)`);
  const walk = await walkTree(abs, NO_RULES);
  const files = await mapLimit(walk.files, 8, async (f) => ({ path: f.path, ...(await hashFile(f.absPath, f.size)), mode: f.mode }));
  return { files, absPaths: new Map(walk.files.map((f) => [f.path, f.absPath])) };
}
