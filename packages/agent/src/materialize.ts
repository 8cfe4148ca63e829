import { access, chmod, constants, copyFile, mkdir, readdir, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { LatheClient } from '@lathe/client';
import type { Snapshot } from '@lathe/contract';
import { withRetry } from './retry.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Run `fn` over items with at most `limit` in flight. */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/**
 * Write a snapshot's files into `dest`. Blobs come from the node's content-addressed
 * cache, so an unchanged snapshot downloads nothing; entries that would land outside
 * `dest` are refused.
 */
export async function materializeSnapshot(client: LatheClient, snapshot: Snapshot, dest: string, cacheDir: string, readOnly = false): Promise<{ downloaded: number; cached: number }> {
  let downloaded = 0;
  let cached = 0;
  const root = resolve(dest);
  await mkdir(root, { recursive: true });
  await eachLimit(snapshot.files, 8, async (file) => {
    const target = resolve(root, file.path);
    if (!target.startsWith(root + sep)) throw new Error(`snapshot entry '${file.path}' would be written outside the run folder`);
    const cachePath = join(cacheDir, file.sha256.slice(0, 2), file.sha256);
    if (await exists(cachePath)) {
      cached++;
    } else {
      await mkdir(dirname(cachePath), { recursive: true });
      const tmp = `${cachePath}.${randomBytes(4).toString('hex')}.tmp`;
      await withRetry(async () => {
        const res = await client.download('downloadBlob', { params: { sha256: file.sha256 } });
        await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(tmp));
      }, { maxMs: 10 * 60_000 });
      await rename(tmp, cachePath).catch(async (err: unknown) => {
        await rm(tmp, { force: true });
        if (!(await exists(cachePath))) throw err;
      });
      downloaded++;
    }
    await mkdir(dirname(target), { recursive: true });
    await copyFile(cachePath, target);
    const mode = (file.mode ?? 0o644) & 0o777;
    await chmod(target, readOnly ? mode & 0o555 : mode | 0o200);
  });
  return { downloaded, cached };
}

/**
 * Expose a local datastore's file or folder at `dest` without copying it: `dest` mirrors
 * the folders with real folders holding a symlink to each original file (a uri_file is
 * one symlink, `dest/fileName`). New files and deletions then stay in the run's folder;
 * only writing into a linked file reaches the original, so the count of originals this
 * user may write is returned for the log. Nothing outside `root` is exposed, whether
 * through `..` in `path` or a symlink inside the datastore.
 */
export async function linkLocalFiles(root: string, path: string, dest: string, fileName?: string): Promise<{ files: number; writable: number }> {
  const realRoot = await realpath(root).catch(() => {
    throw new Error(`local datastore folder ${root} is not on this host`);
  });
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
  const real = async (p: string) => {
    const r = await realpath(p).catch(() => {
      throw new Error(`${p} does not exist`);
    });
    if (!inside(r)) throw new Error(`${p} leads outside the datastore folder ${root}`);
    return r;
  };
  const start = resolve(realRoot, path);
  if (!inside(start)) throw new Error(`'${path}' is outside the datastore folder ${root}`);
  let files = 0;
  let writable = 0;
  const link = async (target: string, at: string) => {
    await symlink(target, at);
    files++;
    if (await access(target, constants.W_OK).then(() => true, () => false)) writable++;
  };
  await mkdir(dest, { recursive: true });
  const source = await real(start);
  if (fileName !== undefined) {
    await link(source, join(dest, fileName));
    return { files, writable };
  }
  // Real folders already walked: a symlink back up the tree must not loop forever.
  const seen = new Set<string>();
  const walk = async (dir: string, out: string): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const at = join(out, entry.name);
      const target = entry.isSymbolicLink() ? await real(join(dir, entry.name)) : join(dir, entry.name);
      if ((await stat(target)).isDirectory()) {
        await mkdir(at);
        await walk(target, at);
      } else {
        await link(target, at);
      }
    }
  };
  await walk(source, dest);
  return { files, writable };
}
