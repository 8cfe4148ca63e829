import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadIgnoreRules } from './ignore-rules.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lathe-ignore-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

describe('loadIgnoreRules', () => {
  it('ignores nothing but .git when there are no ignore files', async () => {
    await tree({ 'a.txt': '', '.git/config': '', 'sub/.git': 'gitdir: ../x' });
    const rules = await loadIgnoreRules(root);
    expect(rules.source).toBe('none');
    expect(await rules.isIgnored('a.txt', false)).toBe(false);
    expect(await rules.isIgnored('.git', true)).toBe(true);
    expect(await rules.isIgnored('.git/config', false)).toBe(true);
    expect(await rules.isIgnored('sub/.git', false)).toBe(true);
    expect(rules.filesRead()).toEqual([]);
  });

  it('applies nested .gitignore files to their own subtree, deeper files winning', async () => {
    await tree({
      '.gitignore': '*.log\nbuild/\n/top-only.txt\n',
      'sub/.gitignore': '!keep.log\nlocal.txt\n/anchored.txt\n',
    });
    const rules = await loadIgnoreRules(root);
    const ignored = async (p: string, dir = false) => rules.isIgnored(p, dir);
    expect(rules.source).toBe('gitignore');
    expect(await ignored('a.log')).toBe(true);
    expect(await ignored('sub/other.log')).toBe(true);
    expect(await ignored('sub/keep.log')).toBe(false);
    expect(await ignored('keep.log')).toBe(true); // the negation only governs sub/
    expect(await ignored('local.txt')).toBe(false);
    expect(await ignored('sub/local.txt')).toBe(true);
    expect(await ignored('sub/deeper/local.txt')).toBe(true);
    expect(await ignored('sub/anchored.txt')).toBe(true);
    expect(await ignored('sub/deeper/anchored.txt')).toBe(false);
    expect(await ignored('top-only.txt')).toBe(true);
    expect(await ignored('sub/top-only.txt')).toBe(false);
    expect(await ignored('build', true)).toBe(true);
    expect(await ignored('build', false)).toBe(false); // `build/` matches folders only
    expect(await ignored('.gitignore')).toBe(false); // kept, as Azure ML uploads it
    expect(await ignored('A.LOG')).toBe(false); // case-sensitive, like git on Linux
    expect(rules.filesRead()).toEqual(['.gitignore', 'sub/.gitignore']);
  });

  it('agrees with git check-ignore', async () => {
    await tree({
      '.gitignore': '*.tmp\n!important.tmp\ndata/\nlogs/**/*.txt\n**/cache\ndoc/*.md\n',
      'pkg/.gitignore': 'important.tmp\n!*.tmp\n/generated\n',
      'pkg/deep/.gitignore': '*.py[co]\n',
    });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const paths: Array<[string, boolean]> = [
      ['x.tmp', false], ['important.tmp', false], ['pkg/x.tmp', false], ['pkg/important.tmp', false],
      ['data', true], ['data', false], ['logs/a/b.txt', false], ['logs/b.txt', false], ['logs/a/b.md', false],
      ['cache', true], ['pkg/deep/cache', true], ['doc/a.md', false], ['doc/sub/a.md', false],
      ['pkg/generated', true], ['pkg/deep/generated', true], ['pkg/deep/m.pyc', false], ['pkg/m.pyc', false],
    ];
    const rules = await loadIgnoreRules(root);
    const answers: boolean[] = [];
    for (const [path, isDir] of paths) {
      const gitSays = checkIgnore(isDir ? `${path}/` : path);
      answers.push(gitSays);
      expect({ path, isDir, ignored: await rules.isIgnored(path, isDir) }).toEqual({ path, isDir, ignored: gitSays });
    }
    // The table is only worth something if git says both yes and no in it.
    expect(answers.filter(Boolean).length).toBeGreaterThan(4);
    expect(answers.filter((a) => !a).length).toBeGreaterThan(4);
  });

  it('uses .amlignore files instead of .gitignore when the tree has any, even in a subfolder', async () => {
    await tree({ '.gitignore': '*.csv\n', 'sub/.amlignore': '*.bin\n', 'a.csv': '', 'a.bin': '' });
    const rules = await loadIgnoreRules(root);
    expect(rules.source).toBe('amlignore');
    expect(await rules.isIgnored('a.csv', false)).toBe(false);
    expect(await rules.isIgnored('sub/a.bin', false)).toBe(true);
    expect(await rules.isIgnored('a.bin', false)).toBe(false);
    expect(await rules.isIgnored('.gitignore', false)).toBe(false);
    expect(await rules.isIgnored('.git/HEAD', false)).toBe(true);
  });

  it('prefers a root .amlignore over a root .gitignore', async () => {
    await tree({ '.gitignore': 'secret.txt\n', '.amlignore': 'data/\n' });
    const rules = await loadIgnoreRules(root);
    expect(rules.source).toBe('amlignore');
    expect(await rules.isIgnored('secret.txt', false)).toBe(false);
    expect(await rules.isIgnored('data', true)).toBe(true);
    expect(rules.filesRead()).toEqual(['.amlignore']);
  });

  it('does not let an .amlignore inside a git-ignored folder switch the rules', async () => {
    await tree({ '.gitignore': '.venv/\n', '.venv/lib/pkg/.amlignore': '*\n', 'train.py': '' });
    const rules = await loadIgnoreRules(root);
    expect(rules.source).toBe('gitignore');
    expect(await rules.isIgnored('.venv', true)).toBe(true);
  });

  function checkIgnore(path: string): boolean {
    try {
      execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: root, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
});
