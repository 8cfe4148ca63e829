import { invalid } from '@lathe/contract';

/**
 * A user-supplied relative path (artifact, snapshot entry). Rejects anything that could
 * leave its folder: absolute paths, `..`, backslashes, NUL, empty segments.
 */
export function safeRelativePath(path: string, what = 'path'): string {
  const bad = (why: string) => invalid(`invalid ${what} '${path}': ${why}`);
  if (path.length === 0) throw bad('it is empty');
  if (path.length > 1024) throw bad('it is longer than 1024 characters');
  if (path.includes('\0')) throw bad('it contains a NUL byte');
  if (path.includes('\\')) throw bad("use '/' as the separator");
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) throw bad('it must be relative');
  const parts = path.split('/');
  if (parts.some((p) => p === '..')) throw bad("'..' is not allowed");
  if (parts.some((p) => p === '' || p === '.')) throw bad("empty or '.' segments are not allowed");
  return path;
}
