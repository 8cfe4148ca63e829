/**
 * The storage conformance suite: every blob store implementation runs these same tests
 * (local disk, Azurite, s3rver), so a backend cannot drift from the interface's promises.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/contract';
import { isListable, type BlobStore, type ListableBlobStore } from '../../packages/server/src/storage/blob-store.js';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function collect(it: AsyncIterable<{ key: string; size: number; etag: string }>) {
  const out = [];
  for await (const e of it) out.push(e);
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** Chunks of `size` bytes, so a store sees a real stream (several parts for large bodies). */
function streamOf(buf: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  })());
}

export function runBlobStoreConformance(name: string, open: () => Promise<BlobStore>): void {
  describe(`blob store conformance: ${name}`, () => {
    const run = `t${randomBytes(4).toString('hex')}`;
    let store: ListableBlobStore;
    const get = async () => {
      if (!store) {
        const s = await open();
        expect(isListable(s)).toBe(true);
        store = s as ListableBlobStore;
      }
      return store;
    };

    it('puts and gets bytes back with the size and sha256 it reports', async () => {
      const s = await get();
      const body = randomBytes(100_000);
      const put = await s.put(`${run}/a/one.bin`, streamOf(body));
      expect(put).toEqual({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
      expect((await readAll(await s.get(`${run}/a/one.bin`))).equals(body)).toBe(true);
    });

    it('stores an empty object and a large multi-part one intact', async () => {
      const s = await get();
      await s.put(`${run}/empty`, Readable.from([]));
      expect((await readAll(await s.get(`${run}/empty`))).length).toBe(0);
      const big = randomBytes(20 * 1024 * 1024 + 123);
      const put = await s.put(`${run}/big.bin`, streamOf(big, 1024 * 1024));
      expect(put.size).toBe(big.length);
      const back = await readAll(await s.get(`${run}/big.bin`));
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    });

    it('overwrites a key whole', async () => {
      const s = await get();
      await s.put(`${run}/over`, Readable.from([Buffer.from('first version, longer')]));
      await s.put(`${run}/over`, Readable.from([Buffer.from('second')]));
      expect((await readAll(await s.get(`${run}/over`))).toString()).toBe('second');
    });

    it('moves an object to a new key (replacing what was there) and removes the old; a missing source is NOT_FOUND', async () => {
      const s = await get();
      const big = randomBytes(9 * 1024 * 1024 + 5);
      await s.put(`${run}/incoming/a`, streamOf(big));
      await s.put(`${run}/final/a`, Readable.from([Buffer.from('stale')]));
      await s.move(`${run}/incoming/a`, `${run}/final/a`);
      expect((await readAll(await s.get(`${run}/final/a`))).equals(big)).toBe(true);
      expect(await s.exists(`${run}/incoming/a`)).toBe(false);
      await expect(s.move(`${run}/incoming/none`, `${run}/final/b`)).rejects.toSatisfy((e: unknown) => e instanceof LatheError && e.code === 'NOT_FOUND');
      expect(await s.exists(`${run}/final/b`)).toBe(false);
    });

    it('answers exists, stat and delete; a missing key is NOT_FOUND on get and null on stat', async () => {
      const s = await get();
      await s.put(`${run}/x.txt`, Readable.from([Buffer.from('hello')]));
      expect(await s.exists(`${run}/x.txt`)).toBe(true);
      const st = await s.stat(`${run}/x.txt`);
      expect(st).toMatchObject({ key: `${run}/x.txt`, size: 5 });
      expect(st!.etag).not.toBe('');
      await s.delete(`${run}/x.txt`);
      expect(await s.exists(`${run}/x.txt`)).toBe(false);
      expect(await s.stat(`${run}/x.txt`)).toBeNull();
      await s.delete(`${run}/x.txt`); // deleting twice is fine
      await expect(s.get(`${run}/nope`)).rejects.toSatisfy((e: unknown) => e instanceof LatheError && e.code === 'NOT_FOUND');
    });

    it('lists by prefix with sizes and ETags that change with the content', async () => {
      const s = await get();
      for (const k of ['p/a.txt', 'p/sub/b.txt', 'p/sub/deeper/c.txt', 'pq/not-under-p-slash.txt']) await s.put(`${run}/${k}`, Readable.from([Buffer.from(k)]));
      const under = await collect(s.list(`${run}/p/`));
      expect(under.map((e) => e.key)).toEqual([`${run}/p/a.txt`, `${run}/p/sub/b.txt`, `${run}/p/sub/deeper/c.txt`]);
      expect(under[0]!.size).toBe('p/a.txt'.length);
      expect((await collect(s.list(`${run}/p`))).length).toBe(4);
      expect(await collect(s.list(`${run}/nothing-here/`))).toEqual([]);
      const before = under[0]!.etag;
      await new Promise((r) => setTimeout(r, 20));
      await s.put(`${run}/p/a.txt`, Readable.from([Buffer.from('changed content')]));
      const after = (await collect(s.list(`${run}/p/a.txt`)))[0]!;
      expect(after.etag).not.toBe(before);
      expect(after.size).toBe('changed content'.length);
    });

    it('stores an object only when its bytes hash to the sha256 it was put with', async () => {
      const s = await get();
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      // One small object (a single request) and one of several blocks/parts (staged, then committed).
      for (const [name, body] of [['small', randomBytes(3000)], ['multi', randomBytes(17 * 1024 * 1024 + 5)]] as const) {
        const other = Buffer.from(body);
        other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
        const err = await s.put(`${run}/cas-${name}`, streamOf(other, 1024 * 1024), { sha256: sha(body) }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LatheError);
        expect((err as LatheError).code).toBe('INVALID_ARGUMENT');
        expect((err as LatheError).message).toContain(`not ${sha(body)}`);
        expect(await s.exists(`${run}/cas-${name}`)).toBe(false);
        const put = await s.put(`${run}/cas-${name}`, streamOf(body, 1024 * 1024), { sha256: sha(body) });
        expect(put).toEqual({ size: body.length, sha256: sha(body) });
        expect((await readAll(await s.get(`${run}/cas-${name}`))).equals(body)).toBe(true);
      }
    });

    it('keeps an upload whose body fails from appearing', async () => {
      const s = await get();
      const failing = Readable.from((async function* () {
        yield randomBytes(1024);
        throw new Error('the client went away');
      })());
      await expect(s.put(`${run}/broken`, failing)).rejects.toThrow();
      expect(await s.exists(`${run}/broken`)).toBe(false);
    });
  });
}
