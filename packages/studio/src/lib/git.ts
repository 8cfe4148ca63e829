/**
 * A web link to a commit from MLflow's git tags (`mlflow.source.git.repoURL` and
 * `.commit`): remote URLs in their usual spellings (https, ssh `git@host:org/repo.git`,
 * `ssh://`) for hosts whose commit pages are known; null when no safe link can be made.
 */
export function commitUrl(repoUrl: string | undefined, commit: string | undefined): string | null {
  if (!repoUrl || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  const web = repoWebUrl(repoUrl);
  if (!web) return null;
  const host = new URL(web).hostname;
  if (host.includes('bitbucket')) return `${web}/commits/${commit}`;
  if (host.includes('gitlab')) return `${web}/-/commit/${commit}`;
  if (host.includes('dev.azure.com') || host.endsWith('visualstudio.com')) return `${web}/commit/${commit}`;
  return `${web}/commit/${commit}`;
}

/** The repository's web page for a remote URL, or null (local paths, unknown schemes). */
export function repoWebUrl(repoUrl: string): string | null {
  let s = repoUrl.trim();
  const scp = /^(?:[\w.-]+@)?([\w.-]+\.[a-z]{2,}):(?!\/\/)(.+)$/i.exec(s);
  if (scp) s = `https://${scp[1]}/${scp[2]}`;
  let u: URL;
  try {
    u = new URL(s.replace(/^ssh:\/\//, 'https://').replace(/^git:\/\//, 'https://').replace(/^git\+https:\/\//, 'https://'));
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  const path = u.pathname.replace(/\.git\/?$/, '').replace(/\/+$/, '');
  if (!path || path === '/') return null;
  // Never carry credentials or an ssh port into a link.
  return `https://${u.hostname}${path}`;
}
