import { execFile } from 'node:child_process';

/** MLflow's standard source tags, as Azure ML records them for a job submitted from a repo. */
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
export const GIT_BRANCH_TAG = 'mlflow.source.git.branch';
export const GIT_REPO_URL_TAG = 'mlflow.source.git.repoURL';
export const GIT_DIRTY_TAG = 'mlflow.source.git.dirty';

const GIT_TIMEOUT_MS = 5_000;

/**
 * Git provenance of `dir` as MLflow tags: commit, branch, origin URL (credentials
 * stripped) and whether the work tree under `dir` has uncommitted changes (untracked
 * files count, as in Azure ML). Tags git cannot answer (no commits yet, detached HEAD, no
 * origin) are left out. Returns `{}` outside a work tree or without git; never throws,
 * because provenance must not stop a job from being submitted.
 */
export async function readGitInfo(dir: string): Promise<Record<string, string>> {
  if ((await git(dir, ['rev-parse', '--is-inside-work-tree'])) !== 'true') return {};
  const [commit, branch, url, status] = await Promise.all([
    git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']),
    git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(dir, ['remote', 'get-url', 'origin']),
    // No index refresh: reading provenance must not race the user's own git commands for index.lock.
    git(dir, ['--no-optional-locks', 'status', '--porcelain', '--', '.']),
  ]);
  const tags: Record<string, string> = {};
  if (commit) tags[GIT_COMMIT_TAG] = commit;
  if (branch) tags[GIT_BRANCH_TAG] = branch;
  if (url) tags[GIT_REPO_URL_TAG] = stripCredentials(url);
  if (status !== undefined) tags[GIT_DIRTY_TAG] = String(status !== '');
  return tags;
}

/** Trimmed stdout, or undefined when git is missing, fails or times out. */
function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      done(err ? undefined : stdout.trim());
    });
  });
}

/**
 * Drop `user:password@` (or a bare token) from an http(s) remote. For other URL schemes a
 * password is dropped but a user kept, and scp-style `git@host:org/repo` is left alone:
 * there the user is an account name, not a secret.
 */
export function stripCredentials(remote: string): string {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return remote;
  }
  if (url.username === '' && url.password === '') return remote;
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  url.password = '';
  if (web) url.username = '';
  return url.toString();
}
