import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildManifest, DEFAULT_SNAPSHOT_LIMITS, MAX_SNAPSHOT_BYTES, MAX_SNAPSHOT_FILES } from './build-manifest.js';
import { SnapshotTooLargeError } from './snapshot-too-large-error.js';

let base: string;
let root: string;
beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'lathe-manifest-')));
  root = join(base, 'code');
  await mkdir(root);
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function tree(files: Record<string, string | Buffer>, at = root): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(at, path)), { recursive: true });
    await writeFile(join(at, path), content);
  }
}

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

describe('buildManifest', () => {
  it('lists kept files in path order with hashes, sizes, modes and where to read them', async () => {
    await tree({
      'train.py': 'print("hi")\n',
      'lib/model.py': 'x = 1\n',
      'lib/nested/deep.txt': 'deep',
      'run.sh': '#!/bin/sh\n',
      '.gitignore': '*.pyc\n',
      'lib/model.pyc': 'junk',
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    await chmod(join(root, 'run.sh'), 0o775);
    const m = await buildManifest(root, DEFAULT_SNAPSHOT_LIMITS);
    expect(m.files.map((f) => f.path)).toEqual(['.gitignore', 'lib/model.py', 'lib/nested/deep.txt', 'run.sh', 'train.py']);
    expect(m.files.find((f) => f.path === 'train.py')).toEqual({ path: 'train.py', sha256: sha256('print("hi")\n'), size: 12, mode: 0o644 });
    expect(m.files.find((f) => f.path === 'run.sh')?.mode).toBe(0o755);
    expect(m.fileCount).toBe(5);
    expect(m.totalBytes).toBe(m.files.reduce((s, f) => s + f.size, 0));
    expect(m.absPaths.get('lib/nested/deep.txt')).toBe(join(root, 'lib', 'nested', 'deep.txt'));
    expect(m.root).toBe(root);
    expect(m.ignoreSource).toBe('gitignore');
    expect(m.ignoreFiles).toEqual(['.gitignore']);
    expect(m.warnings).toEqual([]);
  });

  it('does not descend into ignored folders, and honours nested .gitignore files', async () => {
    await tree({
      '.gitignore': 'data/\n',
      'data/big.csv': 'a,b\n',
      'data/keep.csv': 'c\n',
      'src/.gitignore': '*.tmp\n!keep.tmp\n',
      'src/a.tmp': '',
      'src/keep.tmp': '',
      'a.tmp': '',
    });
    const m = await buildManifest(root);
    expect(m.files.map((f) => f.path)).toEqual(['.gitignore', 'a.tmp', 'src/.gitignore', 'src/keep.tmp']);
  });

  it('lets .amlignore take precedence over .gitignore', async () => {
    await tree({ '.gitignore': '*.csv\n', '.amlignore': 'checkpoints/\n', 'a.csv': 'x', 'checkpoints/c.pt': 'w' });
    const m = await buildManifest(root);
    expect(m.ignoreSource).toBe('amlignore');
    expect(m.files.map((f) => f.path)).toEqual(['.amlignore', '.gitignore', 'a.csv']);
  });

  it('hashes a file larger than one read chunk correctly', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    big.write('head', 0);
    await tree({ 'weights.bin': big });
    const m = await buildManifest(root);
    expect(m.files[0]).toMatchObject({ path: 'weights.bin', sha256: sha256(big), size: big.length });
  });

  it('follows symlinks inside the root and skips, with a warning, those leading outside', async () => {
    await tree({ 'real/a.txt': 'A', 'b.txt': 'B' });
    await tree({ 'secret.txt': 'S', 'outdir/x.txt': 'X' }, base);
    await symlink(join(root, 'b.txt'), join(root, 'link-b.txt'));
    await symlink('real', join(root, 'link-dir'));
    await symlink(join(base, 'secret.txt'), join(root, 'outside.txt'));
    await symlink(join(base, 'outdir'), join(root, 'outside-dir'));
    await symlink(join(root, 'missing'), join(root, 'broken'));
    await symlink('..', join(root, 'real', 'loop'));
    const m = await buildManifest(root);
    expect(m.files.map((f) => f.path)).toEqual(['b.txt', 'link-b.txt', 'link-dir/a.txt', 'real/a.txt']);
    expect(m.files.find((f) => f.path === 'link-b.txt')?.sha256).toBe(sha256('B'));
    expect(m.absPaths.get('link-dir/a.txt')).toBe(join(root, 'real', 'a.txt'));
    expect(m.warnings).toHaveLength(5);
    expect(m.warnings).toEqual(
      expect.arrayContaining([
        `skipped outside.txt: symbolic link to ${join(base, 'secret.txt')}, outside the code folder`,
        `skipped outside-dir: symbolic link to ${join(base, 'outdir')}, outside the code folder`,
        'skipped broken: broken symbolic link',
        `skipped real/loop: symbolic link loops back to ${root}`,
        `skipped link-dir/loop: symbolic link loops back to ${root}`,
      ]),
    );
  });

  it('stays quiet about symlinks the ignore rules leave out', async () => {
    await tree({ '.gitignore': 'venv/\nout.txt\n', 'venv/x': '', 'a.txt': '' });
    await symlink(join(base, 'nowhere'), join(root, 'out.txt'));
    const m = await buildManifest(root);
    expect(m.warnings).toEqual([]);
  });

  it('rejects a folder over the file limit, listing the largest files and the .amlignore hint', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 15; i++) files[`f${String(i).padStart(2, '0')}.txt`] = 'x'.repeat(100 * (i + 1));
    await tree(files);
    const err = await buildManifest(root, { maxBytes: MAX_SNAPSHOT_BYTES, maxFiles: 12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotTooLargeError);
    const e = err as SnapshotTooLargeError;
    expect(e.totals).toEqual({ fileCount: 15, totalBytes: 12_000, complete: true });
    expect(e.largest.map((f) => f.path)).toEqual(['f14.txt', 'f13.txt', 'f12.txt', 'f11.txt', 'f10.txt', 'f09.txt', 'f08.txt', 'f07.txt', 'f06.txt', 'f05.txt']);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(`the code folder ${root} is too large to snapshot: 15 files, 11.7 KB (limits: 12 files, 300.0 MB)`);
    expect(lines[1]).toBe('largest files:');
    expect(lines[2]).toBe('  1.5 KB  f14.txt');
    expect(lines[11]).toBe('   600 B  f05.txt'); // sizes right-aligned
    expect(lines[12]).toMatch(/to \.amlignore in the code folder/);
    expect(lines).toHaveLength(13);
  });

  it('rejects a folder over the byte limit and warns that .amlignore replaces .gitignore', async () => {
    await tree({ '.gitignore': '*.log\n', 'model.ckpt': Buffer.alloc(5000), 'a.py': 'x' });
    const err = (await buildManifest(root, { maxBytes: 4096, maxFiles: 100 }).catch((e: unknown) => e)) as SnapshotTooLargeError;
    expect(err).toBeInstanceOf(SnapshotTooLargeError);
    expect(err.message).toContain('3 files, 4.9 KB (limits: 100 files, 4.0 KB)');
    expect(err.message).toContain('4.9 KB  model.ckpt');
    expect(err.message).toContain('.gitignore files are no longer read');
  });

  it('stops counting far past the file limit', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`d/f${i}`] = '';
    await tree(files);
    const err = (await buildManifest(root, { maxBytes: MAX_SNAPSHOT_BYTES, maxFiles: 2 }).catch((e: unknown) => e)) as SnapshotTooLargeError;
    expect(err.totals).toEqual({ fileCount: 20, totalBytes: 0, complete: false });
    expect(err.message).toMatch(/at least 20 files/);
  });

  it('names the path of a missing code folder, or of a file given as one', async () => {
    await expect(buildManifest(join(base, 'nope'))).rejects.toThrow(`code folder not found: ${join(base, 'nope')}`);
    await tree({ 'file.py': '' });
    await expect(buildManifest(join(root, 'file.py'))).rejects.toThrow(`the code path is not a folder: ${join(root, 'file.py')}`);
  });

  it('exports Azure ML limits as defaults', () => {
    expect(MAX_SNAPSHOT_BYTES).toBe(300 * 1024 * 1024);
    expect(MAX_SNAPSHOT_FILES).toBe(2000);
    expect(DEFAULT_SNAPSHOT_LIMITS).toEqual({ maxBytes: MAX_SNAPSHOT_BYTES, maxFiles: MAX_SNAPSHOT_FILES });
  });
});
