import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from './hash-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-hash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hashFile', () => {
  it('gives the SHA-256 and size of empty, small and multi-chunk files', async () => {
    const contents = [Buffer.alloc(0), Buffer.from('hello\n'), Buffer.alloc(2 * 1024 * 1024 + 3, 0xab)];
    for (const [i, content] of contents.entries()) {
      const file = join(dir, `f${i}`);
      await writeFile(file, content);
      expect(await hashFile(file)).toEqual({ sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
    }
  });

  it('rejects for a missing file', async () => {
    await expect(hashFile(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
