import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const AML_IGNORE_FILE = '.amlignore';
export const GIT_IGNORE_FILE = '.gitignore';

/** Which ignore files govern a code folder. */
export type IgnoreSource = 'amlignore' | 'gitignore' | 'none';

/** Decides which paths of a code folder stay out of its snapshot. */
export interface IgnoreRules {
  /** `.amlignore` when the tree has one, else `.gitignore`; `none` when it has neither. */
  readonly source: IgnoreSource;
  /**
   * Whether `path` (posix, relative to the root) is left out. Test directories with
   * `isDir` so `build/`-style rules apply, and do not descend into ignored ones: as in
   * git, a file inside an ignored folder cannot be brought back.
   */
  isIgnored(path: string, isDir: boolean): Promise<boolean>;
  /** The ignore files read so far, relative posix paths, for telling the user. */
  filesRead(): string[];
}

/**
 * The ignore rules for a code folder, as Azure ML picks them: `.amlignore` files when the
 * tree has any, otherwise `.gitignore` files. Either way the syntax is gitignore's, a file
 * in a subfolder governs that subfolder (deeper files win), `.git` is always left out,
 * and the ignore files themselves are kept (Azure ML uploads them too).
 *
 * Looking for `.amlignore` skips folders `.gitignore` leaves out, so a stray `.amlignore`
 * deep in a virtualenv neither flips the rules nor costs a walk of the whole venv.
 */
export async function loadIgnoreRules(root: string): Promise<IgnoreRules> {
  const git = new NestedIgnoreFiles(root, GIT_IGNORE_FILE);
  const found = await scanForIgnoreFiles(root, git);
  if (found.amlignore) return rules('amlignore', new NestedIgnoreFiles(root, AML_IGNORE_FILE));
  return rules(found.gitignore ? 'gitignore' : 'none', git);
}

function rules(source: IgnoreSource, files: NestedIgnoreFiles): IgnoreRules {
  return { source, isIgnored: (p, d) => files.isIgnored(p, d), filesRead: () => files.filesRead() };
}

/**
 * Which ignore files the tree holds, outside git-ignored folders. Breadth first, stopping
 * at the first `.amlignore`, so the usual root-level one is found after one readdir.
 */
async function scanForIgnoreFiles(root: string, git: NestedIgnoreFiles): Promise<{ amlignore: boolean; gitignore: boolean }> {
  let gitignore = false;
  const queue = [''];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    const has = (name: string) => entries.some((e) => e.name === name && e.isFile());
    if (has(AML_IGNORE_FILE)) return { amlignore: true, gitignore };
    gitignore ||= has(GIT_IGNORE_FILE);
    for (const e of entries) {
      if (!e.isDirectory() || e.name === '.git') continue;
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (!(await git.isIgnored(rel, true))) queue.push(rel);
    }
  }
  return { amlignore: false, gitignore };
}

/** Every ignore file of one name in a tree, each read once, when a path below it is first tested. */
class NestedIgnoreFiles {
  private readonly byDir = new Map<string, Promise<Ignore | undefined>>();
  private readonly read: string[] = [];

  constructor(
    private readonly root: string,
    private readonly fileName: string,
  ) {}

  async isIgnored(path: string, isDir: boolean): Promise<boolean> {
    const segments = path.split('/');
    if (segments.includes('.git')) return true;
    // Deepest file first: the first that ignores or re-includes the path decides, which
    // is git's "last matching pattern wins" across nested files.
    for (let depth = segments.length - 1; depth >= 0; depth--) {
      const dir = segments.slice(0, depth).join('/');
      const rules = await this.rulesIn(dir);
      if (rules === undefined) continue;
      const rel = segments.slice(depth).join('/');
      const result = rules.test(isDir ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }

  filesRead(): string[] {
    return [...this.read].sort();
  }

  private rulesIn(dir: string): Promise<Ignore | undefined> {
    let rules = this.byDir.get(dir);
    if (rules === undefined) {
      rules = this.load(dir);
      this.byDir.set(dir, rules);
    }
    return rules;
  }

  private async load(dir: string): Promise<Ignore | undefined> {
    const rel = dir === '' ? this.fileName : `${dir}/${this.fileName}`;
    const text = await readFile(join(this.root, rel), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    this.read.push(rel);
    // Git matches case-sensitively on Linux, and so does Azure ML's pathspec.
    return ignore({ ignorecase: false }).add(text);
  }
}
