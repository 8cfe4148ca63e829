/**
 * Blob packs: many small content-addressed blobs in one request. Every entry is checked
 * before any is stored, so a bad or cut-off pack stores nothing and can be sent again;
 * the CLI's uploader packs small files and streams large ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOB_PACK, LatheError } from '@lathe/contract';
import { uploadSnapshot } from '../packages/cli/src/upload/upload-snapshot.js';
import { dataManifest } from '../packages/cli/src/upload/data-manifest.js';
import type { Output } from '../packages/cli/src/output/output.js';
import { tempDir } from './support/lathe-process.js';
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
