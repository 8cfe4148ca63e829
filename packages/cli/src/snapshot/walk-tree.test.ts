import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadIgnoreRules } from './ignore-rules.js';
import { walkTree } from './walk-tree.js';

let root: string;
beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'lathe-walk-')));
  for (const path of ['b/2.txt', 'b/1.txt', 'a.b', 'a/z.txt', '.git/HEAD', 'skip/x', '.gitignore']) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), path === '.gitignore' ? 'skip/\n' : path);
  }
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('walkTree', () => {
  it('returns kept files in path order with sizes', async () => {
    const result = await walkTree(root, await loadIgnoreRules(root));
    expect(result.complete).toBe(true);
    expect(result.files.map((f) => [f.path, f.size])).toEqual([
      ['.gitignore', 6],
      ['a.b', 3],
      ['a/z.txt', 7],
      ['b/1.txt', 7],
      ['b/2.txt', 7],
    ]);
    expect(result.files[0]?.absPath).toBe(join(root, '.gitignore'));
  });

  it('stops after the given number of files, always at the same ones', async () => {
    const rules = await loadIgnoreRules(root);
    const first = await walkTree(root, rules, 3);
    const again = await walkTree(root, rules, 3);
    expect(first.complete).toBe(false);
    expect(first.files).toHaveLength(3);
    expect(again.files).toEqual(first.files);
  });
});
