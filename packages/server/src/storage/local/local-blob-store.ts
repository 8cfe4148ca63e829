import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { notFound, LatheError } from '@lathe/contract';
import type { BlobEntry, ListableBlobStore, PutOptions, PutResult } from '../blob-store.js';
import { contentMismatch } from '../store-errors.js';

/** Blobs as files under a root folder; writes go to a temp file renamed into place. */
export class LocalBlobStore implements ListableBlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const full = resolve(this.root, key);
    if (!full.startsWith(resolve(this.root) + sep)) throw new LatheError('INVALID_ARGUMENT', `blob key escapes the store: ${key}`);
    return full;
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.tmp-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    let sha256 = '';
    try {
      await pipeline(body, meter, createWriteStream(tmp));
      sha256 = hash.digest('hex');
      if (options.sha256 !== undefined && sha256 !== options.sha256) throw contentMismatch('local store', key, sha256, options.sha256);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { size, sha256 };
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      throw notFound(`blob ${key} not found`);
    }
    return createReadStream(path);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    if (!(await this.exists(from))) throw notFound(`blob ${from} not found`);
    await mkdir(dirname(target), { recursive: true });
    await rename(source, target);
  }

  async stat(key: string): Promise<BlobEntry | null> {
    const info = await stat(this.pathOf(key)).catch(() => undefined);
    if (!info?.isFile()) return null;
    return { key, size: info.size, etag: `${info.size.toString(16)}-${Math.floor(info.mtimeMs * 1000).toString(16)}`, modifiedAt: Math.floor(info.mtimeMs) };
  }

  async *list(prefix: string): AsyncIterable<BlobEntry> {
    // Start at the deepest folder the prefix names; temp files of unfinished puts are not objects.
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const start = base ? this.pathOf(base) : resolve(this.root);
    const walk = async function* (this: LocalBlobStore, dir: string, rel: string): AsyncGenerator<BlobEntry> {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk.call(this, join(dir, e.name), key);
        } else if (e.isFile() && !e.name.startsWith('.tmp-') && key.startsWith(prefix)) {
          const entry = await this.stat(key);
          if (entry) yield entry;
        }
      }
    };
    yield* walk.call(this, start, base);
  }
}

export async function localBlobStore(url: URL): Promise<ListableBlobStore> {
  const root = decodeURIComponent(url.pathname);
  await mkdir(root, { recursive: true });
  return new LocalBlobStore(root);
}
