import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { findLines, logLines, splitMatches } from './log-lines';
import { DownloadIcon, SearchIcon } from '../icons';

const LINE_H = 19;

/**
 * A log viewer for long, growing logs: lines are virtualised, follow mode keeps the newest
 * line in view until you scroll up, and search highlights matches and steps through them
 * (Enter, Shift+Enter).
 */
export function LogView({ text, live, onDownload, status }: { text: string; live: boolean; onDownload?: () => void; status?: string }) {
  const lines = useMemo(() => logLines(text), [text]);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(0);
  const matches = useMemo(() => findLines(lines, query), [lines, query]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: lines.length, getScrollElement: () => scrollRef.current, estimateSize: () => LINE_H, overscan: 30 });

  useEffect(() => {
    if (follow && lines.length) v.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [follow, lines.length, v]);
  useEffect(() => setHit(0), [query]);
  useEffect(() => {
    const line = matches[hit];
    if (line !== undefined) {
      setFollow(false);
      v.scrollToIndex(line, { align: 'center' });
    }
  }, [hit, matches, v]);

  // Scrolling up leaves follow mode; reaching the bottom again re-enters it.
  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LINE_H * 1.5;
    if (atBottom !== follow && (live || !atBottom)) setFollow(atBottom);
  };
  const current = matches[hit];
  const gutter = `calc(${String(lines.length).length}ch + 20px)`;

  return (
    <div className="log-view">
      <div className="toolbar">
        <div className="filter-box">
          <SearchIcon />
          <input
            data-search
            className="filter-input"
            aria-label="Search the log"
            placeholder="Search the log"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && matches.length) {
                e.preventDefault();
                setHit((h) => (e.shiftKey ? (h - 1 + matches.length) % matches.length : (h + 1) % matches.length));
              } else if (e.key === 'Escape') setQuery('');
            }}
          />
          {query ? <span className="muted small nowrap">{matches.length ? `${hit + 1} of ${matches.length}` : 'no match'}</span> : null}
        </div>
        <span className="spacer" />
        {status ? <span className="muted small">{status}</span> : null}
        <label className="check" title="Keep the newest line in view">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        {onDownload ? (
          <button type="button" className="btn small" onClick={onDownload}>
            <DownloadIcon /> Download
          </button>
        ) : null}
      </div>
      <div className="log-scroll" ref={scrollRef} onScroll={onScroll} data-testid="log" tabIndex={0} aria-label="Log">
        {lines.length === 0 ? <div className="muted log-empty">{live ? 'Waiting for output…' : 'The log is empty.'}</div> : null}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => {
            const line = lines[item.index] ?? '';
            return (
              <div key={item.key} className={`log-line${item.index === current ? ' current' : ''}`} style={{ top: item.start, height: LINE_H }}>
                <span className="ln" style={{ width: gutter }}>
                  {item.index + 1}
                </span>
                <span className="lc">
                  {query
                    ? splitMatches(line, query).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))
                    : line}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
