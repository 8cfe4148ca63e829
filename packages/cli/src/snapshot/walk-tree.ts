import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { IgnoreRules } from './ignore-rules.js';

/** A file a snapshot would hold, before hashing. */
export interface TreeFile {
  /** Posix, relative to the root. */
  path: string;
  /** Where to read it: the symlink's target for a symlink. */
  absPath: string;
  size: number;
  /** Only the executable bit matters; normalised to 0o755 or 0o644 so umasks do not change hashes. */
  mode: number;
}

export interface WalkResult {
  files: TreeFile[];
  warnings: string[];
  /** False when the walk stopped at `stopAfter` files. */
  complete: boolean;
}

/**
 * The files under `root` that the ignore rules keep, in path order. Symlinks are followed
 * while they stay inside the root (as the job would see them); ones leading outside, broken
 * ones, and loops are skipped with a warning. Sockets, FIFOs and devices hold no content
 * and are skipped silently.
 * @param root an absolute, symlink-free path (see `realpath`)
 * @param stopAfter stop counting past this many files, so pointing `code:` at a home
 *   folder fails fast instead of walking the disk
 */
export async function walkTree(root: string, rules: IgnoreRules, stopAfter = Number.POSITIVE_INFINITY): Promise<WalkResult> {
  const files: TreeFile[] = [];
  const warnings: string[] = [];
  let complete = true;

  async function visit(absDir: string, relDir: string, chain: ReadonlySet<string>): Promise<void> {
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      warnings.push(`skipped ${relDir || '.'}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      return;
    }
    // A fixed order makes a walk cut short by `stopAfter` see the same files every time.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!complete) return;
      if (entry.name === '.git') continue;
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      let abs = join(absDir, entry.name);

      if (entry.isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        const targetStat = target === undefined ? undefined : await stat(target).catch(() => undefined);
        if (target === undefined || targetStat === undefined) {
          if (!(await rules.isIgnored(rel, false))) warnings.push(`skipped ${rel}: broken symbolic link`);
          continue;
        }
        if (await rules.isIgnored(rel, targetStat.isDirectory())) continue;
        if (target !== root && !target.startsWith(root + sep)) {
          warnings.push(`skipped ${rel}: symbolic link to ${target}, outside the code folder`);
          continue;
        }
        if (targetStat.isDirectory() && chain.has(target)) {
          warnings.push(`skipped ${rel}: symbolic link loops back to ${target}`);
          continue;
        }
        abs = target;
        if (targetStat.isDirectory()) await visit(abs, rel, new Set([...chain, abs]));
        else if (targetStat.isFile()) add(rel, abs, targetStat.size, targetStat.mode);
        continue;
      }

      if (entry.isDirectory()) {
        if (!(await rules.isIgnored(rel, true))) await visit(abs, rel, new Set([...chain, abs]));
      } else if (entry.isFile() && !(await rules.isIgnored(rel, false))) {
        const s = await stat(abs).catch(() => undefined);
        if (s === undefined) warnings.push(`skipped ${rel}: it vanished while the folder was read`);
        else add(rel, abs, s.size, s.mode);
      }
    }
  }

  function add(path: string, absPath: string, size: number, mode: number): void {
    if (files.length >= stopAfter) {
      complete = false;
      return;
    }
    files.push({ path, absPath, size, mode: (mode & 0o111) !== 0 ? 0o755 : 0o644 });
  }

  await visit(root, '', new Set([root]));
  // Per-folder order is not path order (`a/b` sorts before `a.b` only globally).
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, warnings, complete };
}
