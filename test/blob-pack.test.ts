/**
 * Blob packs: many small content-addressed blobs in one request. Every entry is checked
 * before any is stored, so a bad or cut-off pack stores nothing and can be sent again;
 * the CLI's uploader packs small files and streams large ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOB_PACK, LatheError } from '@lathe/contract';
import { uploadSnapshot, type ManifestFile } from '../packages/cli/src/upload/upload-snapshot.js';
import { dataManifest, HASH_WHILE_UPLOADING_MIN } from '../packages/cli/src/upload/data-manifest.js';
import type { Output } from '../packages/cli/src/output/output.js';
import { tempDir, waitFor } from './support/lathe-process.js';
import { useLathe } from './support/use-lathe.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A pack body as BLOB_PACK describes it; `claim` overrides the hash an entry is sent under. */
function pack(entries: Array<{ bytes: Buffer; claim?: string }>): Buffer {
  return Buffer.concat(entries.flatMap(({ bytes, claim }) => {
    const head = Buffer.alloc(BLOB_PACK.entryHeader);
    head.write(claim ?? sha(bytes), 0, 'hex');
    head.writeUInt32BE(bytes.length, 32);
    return [head, bytes];
  }));
}

async function errorOf(p: Promise<unknown>): Promise<LatheError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (err instanceof LatheError) return err;
  throw new Error(`expected a LatheError, got ${String(err)}`);
}

const quiet: Output = { result: () => undefined, note: () => undefined, progress: () => undefined, endProgress: () => undefined } as unknown as Output;

describe('blob packs', () => {
  const lathe = useLathe();

  it('stores every entry of a pack and reads each back by its hash', async () => {
    const api = lathe().client;
    const blobs = [randomBytes(10), randomBytes(5000), Buffer.alloc(0), randomBytes(1)];
    const res = await api.upload('uploadBlobPack', {}, pack(blobs.map((bytes) => ({ bytes }))));
    expect(res).toEqual({ blobs: 4, bytes: 5011 });
    expect((await api.call('findMissingBlobs', { body: { hashes: blobs.map(sha) } })).missing).toEqual([]);
    for (const b of blobs) {
      const got = Buffer.from(await (await api.download('downloadBlob', { params: { sha256: sha(b) } })).arrayBuffer());
      expect(got.equals(b)).toBe(true);
    }
  });

  it('refuses a pack with one wrong hash or a cut-off entry, and stores none of it', async () => {
    const api = lathe().client;
    const good = [randomBytes(100), randomBytes(200)];
    const bad = randomBytes(300);
    const wrong = await errorOf(api.upload('uploadBlobPack', {}, pack([{ bytes: good[0]! }, { bytes: bad, claim: sha(randomBytes(300)) }, { bytes: good[1]! }])));
    expect(wrong.code).toBe('INVALID_ARGUMENT');
    expect(wrong.message).toMatch(/entry 1 hashes to [0-9a-f]{64}, not [0-9a-f]{64}; nothing was stored/);
    const whole = pack([{ bytes: good[0]! }, { bytes: good[1]! }]);
    for (const cut of [whole.subarray(0, whole.length - 1), whole.subarray(0, 136 + 10)]) {
      const e = await errorOf(api.upload('uploadBlobPack', {}, cut));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/truncated .*nothing was stored/);
    }
    expect((await api.call('findMissingBlobs', { body: { hashes: [...good, bad].map(sha) } })).missing.sort()).toEqual([...good, bad].map(sha).sort());
  });

  it('stores nothing of a pack whose upload is interrupted, and takes it when sent again', async () => {
    const api = lathe().client;
    const blobs = [randomBytes(64 * 1024), randomBytes(64 * 1024)];
    const body = pack(blobs.map((bytes) => ({ bytes })));
    const interrupted = (async function* () {
      yield body.subarray(0, 70_000);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('connection lost');
    })();
    await expect(api.upload('uploadBlobPack', {}, interrupted, body.length)).rejects.toThrow();
    expect((await api.call('findMissingBlobs', { body: { hashes: blobs.map(sha) } })).missing).toHaveLength(2);
    expect(await api.upload('uploadBlobPack', {}, body)).toEqual({ blobs: 2, bytes: 128 * 1024 });
    expect((await api.call('findMissingBlobs', { body: { hashes: blobs.map(sha) } })).missing).toEqual([]);
  });

  it('uploads a folder (small files packed, large ones streamed) once, and names a file that changed meanwhile', async () => {
    const client = lathe().client;
    const dir = tempDir('lathe-pack-');
    mkdirSync(join(dir, 'sub'));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'sub', `f${i}.txt`), `file ${i}\n`);
    writeFileSync(join(dir, 'same-a.txt'), 'same');
    writeFileSync(join(dir, 'same-b.txt'), 'same');
    writeFileSync(join(dir, 'big.bin'), randomBytes(1536 * 1024));
    const m = await dataManifest(dir, 'uri_folder', 'data');
    const first = await uploadSnapshot(client, m.files, m.absPaths, quiet, 'data');
    expect(first.stats).toMatchObject({ uploadedFiles: 32, skippedFiles: 0 });
    expect(first.snapshot.file_count).toBe(33);
    const again = await uploadSnapshot(client, m.files, m.absPaths, quiet, 'data');
    expect(again.stats).toMatchObject({ uploadedFiles: 0, skippedFiles: 33 });
    expect(again.snapshot.id).toBe(first.snapshot.id);

    writeFileSync(join(dir, 'new.txt'), 'new');
    const m2 = await dataManifest(dir, 'uri_folder', 'data');
    writeFileSync(join(dir, 'new.txt'), 'changed after hashing');
    await expect(uploadSnapshot(client, m2.files, m2.absPaths, quiet, 'data')).rejects.toThrow(/new\.txt changed while it was being uploaded/);
  });
});

describe('large files hashed while they upload', () => {
  const lathe = useLathe();
  const MB = 1024 * 1024;
  const download = async (hash: string) => Buffer.from(await (await lathe().client.download('downloadBlob', { params: { sha256: hash } })).arrayBuffer());
  const leftovers = () => readdirOr(join(lathe().dataDir, 'blobs', 'cas-incoming'));

  it('sends a new large file unhashed, stores it under the hash the server computed, and skips it the next time', async () => {
    const dir = tempDir('lathe-stream-');
    const bytes = randomBytes(HASH_WHILE_UPLOADING_MIN + 3 * MB + 7);
    writeFileSync(join(dir, 'big.bin'), bytes);
    const m = await dataManifest(join(dir, 'big.bin'), 'uri_file', 'data');
    expect(m.files[0]!.sha256).toBeUndefined();
    const first = await uploadSnapshot(lathe().client, m.files, m.absPaths, quiet, 'data');
    expect(first.stats).toMatchObject({ uploadedFiles: 1, uploadedBytes: bytes.length, skippedFiles: 0 });
    expect(first.snapshot.files).toEqual([expect.objectContaining({ path: 'big.bin', sha256: sha(bytes), size: bytes.length })]);
    expect((await download(sha(bytes))).equals(bytes)).toBe(true);
    expect(leftovers()).toEqual([]);
    // Now the workspace holds a blob of this size: the file is hashed first and found.
    const again = await dataManifest(join(dir, 'big.bin'), 'uri_file', 'data');
    const second = await uploadSnapshot(lathe().client, again.files, again.absPaths, quiet, 'data');
    expect(second.stats).toMatchObject({ uploadedFiles: 0, skippedFiles: 1 });
    expect(second.snapshot.id).toBe(first.snapshot.id);
  });

  it('uploads a different file of a size the workspace holds, after hashing it first', async () => {
    const dir = tempDir('lathe-stream-');
    const a = randomBytes(HASH_WHILE_UPLOADING_MIN + 1);
    const b = randomBytes(a.length);
    writeFileSync(join(dir, 'a.bin'), a);
    await uploadSnapshot(lathe().client, ...(await manifestOf(join(dir, 'a.bin'))));
    writeFileSync(join(dir, 'a.bin'), b);
    const res = await uploadSnapshot(lathe().client, ...(await manifestOf(join(dir, 'a.bin'))));
    expect(res.stats).toMatchObject({ uploadedFiles: 1, skippedFiles: 0 });
    expect(res.snapshot.files[0]!.sha256).toBe(sha(b));
    expect((await download(sha(b))).equals(b)).toBe(true);
  });

  it('stores nothing of a streamed upload cut off midway, and takes it when sent again', async () => {
    const api = lathe().client;
    const bytes = randomBytes(20 * MB);
    const interrupted = (async function* () {
      yield bytes.subarray(0, 9 * MB);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('connection lost');
    })();
    await expect(api.upload('uploadBlobStreamed', {}, interrupted, bytes.length)).rejects.toThrow();
    await waitFor('the cut-off upload to be cleaned up', async () => leftovers().length === 0);
    expect((await api.call('findMissingBlobs', { body: { hashes: [sha(bytes)] } })).missing).toEqual([sha(bytes)]);
    expect(await api.upload('uploadBlobStreamed', {}, bytes, bytes.length)).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect((await api.call('findMissingBlobs', { body: { hashes: [sha(bytes)] } })).missing).toEqual([]);
  });

  it('names a large file that grew or shrank while it was being sent, and stores nothing of it', async () => {
    const dir = tempDir('lathe-stream-');
    // Sizes no blob of this workspace has, so the files go unhashed.
    for (const [name, listed, actual] of [['grows.bin', 12_345, 2 * MB], ['shrinks.bin', 54_321, 100]] as const) {
      writeFileSync(join(dir, name), randomBytes(HASH_WHILE_UPLOADING_MIN + listed));
      const m = await dataManifest(join(dir, name), 'uri_file', 'data');
      writeFileSync(join(dir, name), randomBytes(HASH_WHILE_UPLOADING_MIN + actual));
      await expect(uploadSnapshot(lathe().client, m.files, m.absPaths, quiet, 'data')).rejects.toThrow(new RegExp(`${name.replace('.', '\\.')} changed while it was being uploaded`));
      await waitFor('no upload left half-stored', async () => leftovers().length === 0);
    }
  });
});

async function manifestOf(path: string): Promise<[ManifestFile[], Map<string, string>, Output, string]> {
  const m = await dataManifest(path, 'uri_file', 'data');
  return [m.files, m.absPaths, quiet, 'data'];
}

function readdirOr(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
