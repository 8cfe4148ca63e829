import { describe, expect, it } from 'vitest';
import { commitUrl, repoWebUrl } from './git';

const sha = 'fab4fd58a1f4638e7606f3534c65b18d3d16457f';

describe('commit links', () => {
  it('turns remote URLs in their usual spellings into web pages', () => {
    expect(repoWebUrl('git@github.com:org/repo.git')).toBe('https://github.com/org/repo');
    expect(repoWebUrl('https://github.com/org/repo.git')).toBe('https://github.com/org/repo');
    expect(repoWebUrl('ssh://git@github.com/org/repo.git')).toBe('https://github.com/org/repo');
    expect(repoWebUrl('https://user:secret@gitlab.com/g/sub/repo')).toBe('https://gitlab.com/g/sub/repo');
  });
  it('builds the commit page per host', () => {
    expect(commitUrl('git@github.com:org/repo.git', sha)).toBe(`https://github.com/org/repo/commit/${sha}`);
    expect(commitUrl('https://gitlab.com/g/repo.git', sha)).toBe(`https://gitlab.com/g/repo/-/commit/${sha}`);
    expect(commitUrl('git@bitbucket.org:team/repo.git', sha)).toBe(`https://bitbucket.org/team/repo/commits/${sha}`);
  });
  it('makes no link from local paths, odd schemes or a bad commit', () => {
    expect(commitUrl('/home/ada/repo', sha)).toBeNull();
    expect(commitUrl('file:///srv/git/repo', sha)).toBeNull();
    expect(commitUrl('javascript:alert(1)', sha)).toBeNull();
    expect(commitUrl('https://github.com/org/repo', 'not-a-sha')).toBeNull();
    expect(commitUrl(undefined, sha)).toBeNull();
  });
});
