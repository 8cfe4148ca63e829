import { useEffect, useMemo, useState } from 'react';
import { useApi } from '../../app/api-context';
import { formatBytes, formatCount } from '../../lib/format';
import { ChevronIcon, DownloadIcon, FileIcon, FolderIcon } from '../icons';
import { Empty, ErrorPanel, Loading } from '../states';
import { ancestors, buildTree, type FileEntry, type TreeNode } from './file-tree';
import { FilePreview, saveResponse } from './preview';

export interface FileSource {
  /** Cache key of the listing. */
  key: string;
  list(): Promise<FileEntry[]>;
  open(path: string): Promise<Response>;
}

/**
 * A folder tree on the left, the selected file's preview on the right, a download button.
 * The selected path is controlled by the caller (kept in the address for deep links).
 */
export function FileBrowser({ source, selected, onSelect, emptyText }: { source: FileSource; selected: string | null; onSelect(path: string | null): void; emptyText: string }) {
  const listing = useApi(source.key, () => source.list());
  const tree = useMemo(() => buildTree(listing.data ?? []), [listing.data]);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const autoPath = selected && !selected.endsWith('/') ? selected : (firstFile(tree, selected ?? undefined)?.path ?? null);
  useEffect(() => {
    if (autoPath) setOpen((o) => new Set([...o, ...ancestors(autoPath)]));
  }, [autoPath]);
  // Open the top levels when there are few of them.
  useEffect(() => {
    if (listing.data && tree.children.length <= 4) setOpen((o) => new Set([...o, ...tree.children.filter((c) => !c.file).map((c) => c.path)]));
  }, [listing.data, tree]);
  // Nothing chosen yet: show the first output file (or the first file) rather than an empty pane.
  const shownPath = autoPath;
  const file = shownPath ? listing.data?.find((f) => f.path === shownPath) : undefined;

  if (listing.loading) return <Loading what="files" />;
  if (listing.error && !listing.data) return <ErrorPanel error={listing.error} what="files" onRetry={listing.reload} />;
  if (!listing.data?.length) return <Empty title="No files">{emptyText}</Empty>;

  const toggle = (path: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });

  const download = async (f: FileEntry) => saveResponse(await source.open(f.path), f.path.split('/').pop() ?? 'file');

  return (
    <div className="file-browser">
      <div className="file-tree" role="tree" aria-label="Files">
        <div className="muted small tree-summary">
          {formatCount(tree.files)} files · {formatBytes(tree.size)}
        </div>
        {tree.children.map((n) => (
          <TreeItem key={n.path} node={n} depth={0} open={open} toggle={toggle} selected={shownPath} onSelect={onSelect} />
        ))}
      </div>
      <div className="file-preview">
        {file ? (
          <>
            <div className="preview-head">
              <span className="preview-path" title={file.path}>
                {file.path}
              </span>
              <span className="muted small">{formatBytes(file.size)}</span>
              <span className="spacer" />
              <button type="button" className="btn small" onClick={() => void download(file)}>
                <DownloadIcon /> Download
              </button>
            </div>
            <div className="preview-body">
              <FilePreview file={file} open={source.open} />
            </div>
          </>
        ) : (
          <div className="muted preview-note">{selected ? `No file ${selected} here.` : 'Select a file to preview it.'}</div>
        )}
      </div>
    </div>
  );
}

function TreeItem({ node, depth, open, toggle, selected, onSelect }: { node: TreeNode; depth: number; open: Set<string>; toggle(p: string): void; selected: string | null; onSelect(p: string): void }) {
  const isOpen = open.has(node.path);
  const pad = { paddingLeft: 8 + depth * 14 };
  if (node.file) {
    return (
      <button type="button" role="treeitem" aria-selected={selected === node.path} className={`tree-row file${selected === node.path ? ' selected' : ''}`} style={pad} onClick={() => onSelect(node.path)} title={node.path}>
        <FileIcon />
        <span className="tree-name">{node.name}</span>
        <span className="tree-size">{formatBytes(node.size)}</span>
      </button>
    );
  }
  return (
    <>
      <button type="button" role="treeitem" aria-expanded={isOpen} className="tree-row folder" style={pad} onClick={() => toggle(node.path)}>
        <ChevronIcon open={isOpen} />
        <FolderIcon open={isOpen} />
        <span className="tree-name">{node.name}</span>
        <span className="tree-size">{formatCount(node.files)}</span>
      </button>
      {isOpen ? node.children.map((c) => <TreeItem key={c.path} node={c} depth={depth + 1} open={open} toggle={toggle} selected={selected} onSelect={onSelect} />) : null}
    </>
  );
}

/** The first file under a folder path ('a/b/'), else under outputs/, else anywhere. */
function firstFile(tree: TreeNode, folder?: string): TreeNode | undefined {
  const walk = (n: TreeNode): TreeNode | undefined => (n.file ? n : n.children.map(walk).find(Boolean));
  const find = (n: TreeNode, path: string): TreeNode | undefined => (n.path === path ? n : n.children.map((c) => find(c, path)).find(Boolean));
  const start = (folder ? find(tree, folder.replace(/\/+$/, '')) : undefined) ?? tree.children.find((c) => c.name === 'outputs') ?? tree;
  return walk(start) ?? walk(tree);
}
