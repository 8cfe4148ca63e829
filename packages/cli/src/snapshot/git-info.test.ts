import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readGitInfo, stripCredentials } from './git-info.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-git-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

async function repoWithCommit(): Promise<string> {
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Lathe Test');
  git('config', 'commit.gpgsign', 'false');
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'train.py'), 'print(1)\n');
  await writeFile(join(dir, 'README.md'), 'hi\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return git('rev-parse', 'HEAD');
}

describe('readGitInfo', () => {
  it('returns no tags outside a git work tree', async () => {
    expect(await readGitInfo(dir)).toEqual({});
    expect(await readGitInfo(join(dir, 'does-not-exist'))).toEqual({});
  });

  it('reads commit, branch, origin URL without credentials, and a clean tree', async () => {
    const head = await repoWithCommit();
    git('remote', 'add', 'origin', 'https://alice:s3cret@example.com/org/repo.git');
    expect(await readGitInfo(dir)).toEqual({
      'mlflow.source.git.commit': head,
      'mlflow.source.git.branch': 'main',
      'mlflow.source.git.repoURL': 'https://example.com/org/repo.git',
      'mlflow.source.git.dirty': 'false',
    });
  });

  it('marks the tree dirty for modified and untracked files, scoped to the folder asked about', async () => {
    await repoWithCommit();
    await writeFile(join(dir, 'README.md'), 'changed\n');
    expect((await readGitInfo(dir))['mlflow.source.git.dirty']).toBe('true');
    // As in Azure ML, only changes under the code folder make its snapshot dirty.
    expect((await readGitInfo(join(dir, 'src')))['mlflow.source.git.dirty']).toBe('false');
    await writeFile(join(dir, 'src', 'new.py'), '');
    expect((await readGitInfo(join(dir, 'src')))['mlflow.source.git.dirty']).toBe('true');
  });

  it('leaves out what git cannot answer: no origin, detached HEAD, no commits', async () => {
    const head = await repoWithCommit();
    git('checkout', '-q', '--detach');
    expect(await readGitInfo(dir)).toEqual({ 'mlflow.source.git.commit': head, 'mlflow.source.git.dirty': 'false' });

    await rm(join(dir, '.git'), { recursive: true, force: true });
    git('init', '-q', '-b', 'trunk');
    const tags = await readGitInfo(dir);
    expect(tags['mlflow.source.git.commit']).toBeUndefined();
    expect(tags['mlflow.source.git.branch']).toBe('trunk');
    expect(tags['mlflow.source.git.dirty']).toBe('true');
  });
});

describe('readGitInfo without git', () => {
  it('returns no tags when git is not installed', async () => {
    await repoWithCommit();
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-bin-here');
    try {
      expect(await readGitInfo(dir)).toEqual({});
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('stripCredentials', () => {
  it('drops user and password from http(s) remotes', () => {
    expect(stripCredentials('https://alice:s3cret@github.com/org/repo.git')).toBe('https://github.com/org/repo.git');
    expect(stripCredentials('https://ghp_token@github.com/org/repo')).toBe('https://github.com/org/repo');
    expect(stripCredentials('http://u:p@host:8080/r.git')).toBe('http://host:8080/r.git');
  });

  it('keeps account names that are not secrets, and leaves other remotes alone', () => {
    expect(stripCredentials('ssh://git@github.com/org/repo.git')).toBe('ssh://git@github.com/org/repo.git');
    expect(stripCredentials('ssh://git:pw@github.com/org/repo.git')).toBe('ssh://git@github.com/org/repo.git');
    expect(stripCredentials('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    expect(stripCredentials('https://github.com/org/repo.git')).toBe('https://github.com/org/repo.git');
    expect(stripCredentials('/srv/git/repo.git')).toBe('/srv/git/repo.git');
  });
});
