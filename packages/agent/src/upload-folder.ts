import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { LatheClient } from '@lathe/client';
import { withRetry } from './retry.js';
import { eachLimit } from './materialize.js';

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(full);
      // symlinks are not followed: they could point anywhere on the host
    }
  };
  await walk(root);
  return out;
}

/** Upload every file under `folder` as artifacts under `prefix/`; returns the count. */
export async function uploadFolder(client: LatheClient, runId: string, folder: string, prefix: string): Promise<number> {
  const files = await listFiles(folder);
  await eachLimit(files, 4, async (file) => {
    const path = `${prefix}/${relative(folder, file).split('\\').join('/')}`;
    await uploadFile(client, runId, file, path);
  });
  return files.length;
}

export async function uploadFile(client: LatheClient, runId: string, file: string, path: string): Promise<void> {
  await withRetry(async () => {
    const { size } = await lstat(file);
    await client.upload('uploadArtifact', { params: { run: runId }, query: { path } }, createReadStream(file), size);
  }, { maxMs: 30 * 60_000 });
}
