/** Flat file lists (artifact paths, snapshot manifests) as a folder tree, and what kind of preview a file gets. */

export interface FileEntry {
  path: string;
  size: number;
}

export interface TreeNode {
  name: string;
  /** Full path; '' for the root. */
  path: string;
  file?: FileEntry;
  children: TreeNode[];
  /** Bytes under this node. */
  size: number;
  files: number;
}

/** Build the tree: folders first, then files, each sorted by name. */
export function buildTree(entries: readonly FileEntry[]): TreeNode {
  const root: TreeNode = { name: '', path: '', children: [], size: 0, files: 0 };
  const folders = new Map<string, TreeNode>([['', root]]);
  for (const e of entries) {
    const parts = e.path.split('/').filter(Boolean);
    let parent = root;
    let prefix = '';
    for (let i = 0; i < parts.length - 1; i++) {
      prefix = prefix ? `${prefix}/${parts[i]}` : parts[i]!;
      let f = folders.get(prefix);
      if (!f) {
        f = { name: parts[i]!, path: prefix, children: [], size: 0, files: 0 };
        folders.set(prefix, f);
        parent.children.push(f);
      }
      parent = f;
    }
    parent.children.push({ name: parts[parts.length - 1] ?? e.path, path: e.path, file: e, children: [], size: e.size, files: 1 });
  }
  const finish = (n: TreeNode): void => {
    if (n.file) return;
    n.children.sort((a, b) => Number(!!a.file) - Number(!!b.file) || a.name.localeCompare(b.name));
    n.size = 0;
    n.files = 0;
    for (const c of n.children) {
      finish(c);
      n.size += c.size;
      n.files += c.files;
    }
  };
  finish(root);
  return root;
}

/** The folders leading to a path ('a/b/c.txt' → ['a', 'a/b']), to open them. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

export type PreviewKind = 'image' | 'json' | 'csv' | 'text' | 'none';

const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg|ico|avif)$/i;
const TEXT = /\.(txt|log|md|rst|py|ipynb|ts|tsx|js|mjs|cjs|jsx|sh|bash|yml|yaml|toml|ini|cfg|conf|env|r|sql|html?|css|xml|c|h|cpp|hpp|java|go|rs|rb|scala|kt|jl|lua|pl|mlmodel|properties|gitignore|amlignore|dockerfile|requirements|lock|out|err)$/i;
const TEXT_NAMES = /(^|\/)(MLmodel|Dockerfile|Makefile|LICENSE|README|requirements\.txt|conda\.ya?ml)$/;

export function previewKind(path: string): PreviewKind {
  if (IMAGE.test(path)) return 'image';
  if (/\.(json|jsonl|geojson)$/i.test(path)) return 'json';
  if (/\.(csv|tsv)$/i.test(path)) return 'csv';
  if (TEXT.test(path) || TEXT_NAMES.test(path) || !/\.[^/]+$/.test(path)) return 'text';
  return 'none';
}

/** Whether bytes look like text (no NUL in the first few KB). */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return false;
  return true;
}
