import { useEffect, useMemo, useState } from 'react';
import { formatBytes } from '../../lib/format';
import { ErrorPanel, Loading } from '../states';
import { parseCsv } from './csv';
import { looksLikeText, previewKind, type FileEntry } from './file-tree';

const TEXT_LIMIT = 1024 * 1024;
const IMAGE_LIMIT = 25 * 1024 * 1024;

/** Read at most `limit` bytes of a response body, then stop the download. */
export async function readPrefix(res: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(await res.arrayBuffer()).slice(0, limit), truncated: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
    if (n >= limit) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const out = new Uint8Array(Math.min(n, limit));
  let o = 0;
  for (const p of parts) {
    const take = Math.min(p.length, out.length - o);
    out.set(p.subarray(0, take), o);
    o += take;
    if (o >= out.length) break;
  }
  return { bytes: out, truncated };
}

/** Save a response as a file the browser downloads. */
export async function saveResponse(res: Response, name: string): Promise<void> {
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

type Loaded =
  | { kind: 'image'; url: string }
  | { kind: 'text'; text: string; truncated: boolean; as: 'text' | 'json' | 'csv' }
  | { kind: 'binary' }
  | { kind: 'too-big' };

/** Preview of one file: images, JSON (pretty), CSV/TSV as a table, text with line numbers. */
export function FilePreview({ file, open }: { file: FileEntry; open: (path: string) => Promise<Response> }) {
  const [state, setState] = useState<{ path: string; loaded?: Loaded; error?: unknown }>({ path: file.path });
  const kind = previewKind(file.path);
  useEffect(() => {
    let live = true;
    let objectUrl: string | null = null;
    setState({ path: file.path });
    (async (): Promise<Loaded> => {
      if (kind === 'image') {
        if (file.size > IMAGE_LIMIT) return { kind: 'too-big' };
        const res = await open(file.path);
        const type = /\.svg$/i.test(file.path) ? 'image/svg+xml' : (res.headers.get('content-type') ?? '');
        objectUrl = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type }));
        return { kind: 'image', url: objectUrl };
      }
      const res = await open(file.path);
      const { bytes, truncated } = await readPrefix(res, TEXT_LIMIT);
      if (!looksLikeText(bytes)) return { kind: 'binary' };
      const text = new TextDecoder().decode(bytes);
      return { kind: 'text', text, truncated, as: kind === 'json' ? 'json' : kind === 'csv' ? 'csv' : 'text' };
    })().then(
      (loaded) => live && setState({ path: file.path, loaded }),
      (error: unknown) => live && setState({ path: file.path, error }),
    );
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [file.path, file.size, kind, open]);

  if (state.error) return <ErrorPanel compact error={state.error} what={file.path} />;
  const l = state.loaded;
  if (!l) return <Loading what={file.path} inline />;
  if (l.kind === 'image') return <div className="preview-image"><img src={l.url} alt={file.path} /></div>;
  if (l.kind === 'too-big') return <div className="muted preview-note">This image is {formatBytes(file.size)}; download it to view.</div>;
  if (l.kind === 'binary') return <div className="muted preview-note">A binary file ({formatBytes(file.size)}); no preview. Download it to open it.</div>;
  return (
    <>
      {l.truncated ? <div className="muted preview-note">Showing the first {formatBytes(TEXT_LIMIT)} of {formatBytes(file.size)}.</div> : null}
      {l.as === 'csv' ? <CsvTable text={l.text} /> : l.as === 'json' ? <JsonView text={l.text} truncated={l.truncated} /> : <TextView text={l.text} />}
    </>
  );
}

function TextView({ text }: { text: string }) {
  const lines = useMemo(() => text.replace(/\n$/, '').split('\n'), [text]);
  return (
    <pre className="code-view" data-testid="text-preview">
      {lines.map((line, i) => (
        <div key={i} className="code-line">
          <span className="ln">{i + 1}</span>
          <span className="lc">{line || ' '}</span>
        </div>
      ))}
    </pre>
  );
}

function JsonView({ text, truncated }: { text: string; truncated: boolean }) {
  const pretty = useMemo(() => {
    if (truncated) return null;
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // JSON Lines, or not JSON after all: pretty-print line by line when possible
      try {
        return text
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.stringify(JSON.parse(l)))
          .join('\n');
      } catch {
        return null;
      }
    }
  }, [text, truncated]);
  return <TextView text={pretty ?? text} />;
}

function CsvTable({ text }: { text: string }) {
  const { rows, truncated } = useMemo(() => parseCsv(text, { maxRows: 1001 }), [text]);
  const [head, ...body] = rows;
  if (!head) return <div className="muted preview-note">Empty file.</div>;
  return (
    <div className="csv-wrap">
      <table className="table csv" data-testid="csv-preview">
        <thead>
          <tr>
            <th className="ln">#</th>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.map((r, i) => (
            <tr key={i}>
              <td className="ln">{i + 1}</td>
              {head.map((_, j) => (
                <td key={j} className={/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(r[j] ?? '') ? 'num' : ''}>
                  {r[j] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {truncated ? <div className="muted preview-note">Showing the first {body.length} rows.</div> : null}
    </div>
  );
}
