import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { Link } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LatheClient } from '@lathe/client';
import type { Run } from '@lathe/contract';
import { StatusBadge } from '../status-badge';
import { ErrorPanel } from '../states';
import { cellOf, type Column, type Sort } from './column-model';
import { RunWindow } from './run-window';
import { fetchWindow, PAGE_SIZE, queryKey, type RunsQuery } from './window-fetch';

export type { RunsQuery };

const ROW_H = 34;
const HEADER_H = 36;
const SELECT_W = 40;
const PAGE = PAGE_SIZE;
const ACTIVE = new Set(['Queued', 'NotStarted', 'Preparing', 'Running', 'Finalizing', 'CancelRequested']);

export interface RunsTableProps {
  client: LatheClient;
  ws: string;
  query: RunsQuery;
  /** Rows that match (from countRuns); undefined while unknown. */
  count: number | undefined;
  columns: Column[];
  widths: Record<string, number>;
  onResize(columnId: string, width: number): void;
  sort: Sort | null;
  onSortClick(col: Column): void;
  selected: ReadonlySet<string>;
  onToggle(run: Run): void;
  onOpen(run: Run): void;
  /** Rows as they load, so the page can add columns for keys it had not seen. */
  onRows?(rows: Run[]): void;
  /** Fires once the first rows of a query are on screen (benchmarks, tests). */
  onFirstRows?(): void;
}

/**
 * The runs grid: rows and columns are both virtualised (only what is on screen is in the
 * DOM), rows are fetched by offset as they scroll into view, the status, name and select
 * columns stay pinned at the left, and visible active runs refresh every few seconds.
 */
export function RunsTable(p: RunsTableProps) {
  const { client, query } = p;
  const key = queryKey(p.ws, query);
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const onRowsRef = useRef(p.onRows);
  onRowsRef.current = p.onRows;

  const win = useMemo(
    () =>
      new RunWindow<Run>(
        (offset, limit) => fetchWindow(client, p.ws, query, offset, limit),
        (rows) => {
          if (rows.length) onRowsRef.current?.(rows as Run[]);
          bump();
        },
        PAGE,
      ),
    // The key holds the whole query.
    [key, client],
  );
  useEffect(() => () => win.dispose(), [win]);
  // Ask for the first page while rendering, not after the commit: the rows arrive sooner.
  if (win.loadedLength() === 0 && !win.error) void win.ensure(0, 1);

  const rowCount = p.count ?? (win.knownLength ?? win.loadedLength() + (win.error ? 0 : PAGE));
  const scrollRef = useRef<HTMLDivElement>(null);
  const pinned = useMemo(() => p.columns.filter((c) => c.pinned), [p.columns]);
  const free = useMemo(() => p.columns.filter((c) => !c.pinned), [p.columns]);
  const width = useCallback((c: Column) => p.widths[c.id] ?? c.width, [p.widths]);
  const pinnedWidth = SELECT_W + pinned.reduce((s, c) => s + width(c), 0);

  const rows = useVirtualizer({ count: rowCount, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 12, scrollPaddingStart: HEADER_H });
  const cols = useVirtualizer({ horizontal: true, count: free.length, getScrollElement: () => scrollRef.current, estimateSize: (i) => width(free[i]!), overscan: 4, paddingStart: pinnedWidth });
  useEffect(() => cols.measure(), [cols, free, p.widths, pinnedWidth]);
  // A new query starts at the top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [key]);

  const vrows = rows.getVirtualItems();
  const vcols = cols.getVirtualItems();
  const firstIndex = vrows[0]?.index ?? 0;
  const lastIndex = vrows[vrows.length - 1]?.index ?? 0;
  useEffect(() => {
    void win.ensure(firstIndex, lastIndex);
  }, [win, firstIndex, lastIndex]);

  // More (or fewer) runs than before: the loaded rows may have shifted, fetch them again.
  const prevCount = useRef(p.count);
  useEffect(() => {
    if (prevCount.current !== undefined && p.count !== undefined && prevCount.current !== p.count) void win.refresh(firstIndex, lastIndex);
    prevCount.current = p.count;
  }, [p.count, win, firstIndex, lastIndex]);

  // Live: while a visible run is active, fetch the visible pages again.
  const visibleActive = vrows.some((v) => {
    const r = win.row(v.index);
    return r !== undefined && ACTIVE.has(r.status);
  });
  useEffect(() => {
    if (!visibleActive) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') void win.refresh(firstIndex, lastIndex);
    }, 2500);
    return () => window.clearInterval(id);
  }, [visibleActive, win, firstIndex, lastIndex]);

  const firstRowsShown = win.row(0) !== undefined;
  const firstRowsRef = useRef<string | null>(null);
  useEffect(() => {
    if (firstRowsShown && firstRowsRef.current !== key) {
      firstRowsRef.current = key;
      p.onFirstRows?.();
    }
  });

  // Keyboard: a highlighted row moves with j/k and arrows; Enter opens, x or Space selects.
  const [active, setActive] = useState(-1);
  useEffect(() => setActive(-1), [key]);
  const move = (to: number) => {
    const i = Math.max(0, Math.min(rowCount - 1, to));
    setActive(i);
    rows.scrollToIndex(i, { align: 'auto' });
  };
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_H) - 2);
    const run = active >= 0 ? win.row(active) : undefined;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        move(active + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(active - 1);
        break;
      case 'PageDown':
        move(active + page);
        break;
      case 'PageUp':
        move(active - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rowCount - 1);
        break;
      case 'Enter':
        if (run) p.onOpen(run);
        break;
      case 'x':
      case ' ':
        if (run) p.onToggle(run);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const totalWidth = pinnedWidth + free.reduce((s, c) => s + width(c), 0);
  const totalHeight = HEADER_H + rows.getTotalSize();
  const now = Date.now();

  return (
    <div className="grid-wrap">
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-rowcount={rowCount + 1}
        aria-colcount={p.columns.length + 1}
        aria-label="Runs"
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="runs-grid"
      >
        <div className="grid-inner" style={{ width: totalWidth, height: totalHeight }}>
          <div className="grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth, height: HEADER_H }}>
            <div className="pinned" style={{ width: pinnedWidth }}>
              <div className="hcell select-cell" style={{ width: SELECT_W }} role="columnheader" aria-label="Select" />
              {pinned.map((c) => (
                <HeaderCell key={c.id} col={c} w={width(c)} sort={p.sort} onSortClick={p.onSortClick} onResize={p.onResize} />
              ))}
            </div>
            {vcols.map((vc) => {
              const c = free[vc.index]!;
              return <HeaderCell key={c.id} col={c} w={vc.size} left={vc.start} sort={p.sort} onSortClick={p.onSortClick} onResize={p.onResize} />;
            })}
          </div>
          {vrows.map((vr) => {
            const run = win.row(vr.index);
            const top = HEADER_H + vr.start;
            if (!run) {
              return (
                <div key={vr.key} className="grid-row placeholder" role="row" aria-rowindex={vr.index + 2} style={{ top, height: ROW_H, width: totalWidth }}>
                  <div className="pinned" style={{ width: pinnedWidth }}>
                    <span className="shimmer" style={{ width: pinnedWidth - 60 }} />
                  </div>
                </div>
              );
            }
            return (
              <GridRow
                key={vr.key}
                run={run}
                index={vr.index}
                top={top}
                width={totalWidth}
                pinnedWidth={pinnedWidth}
                pinned={pinned}
                free={free}
                vcols={vcols.map((v) => ({ index: v.index, start: v.start, size: v.size }))}
                colWidth={width}
                selected={p.selected.has(run.id)}
                active={vr.index === active}
                ws={p.ws}
                now={now}
                onToggle={p.onToggle}
                onClickRow={() => setActive(vr.index)}
              />
            );
          })}
        </div>
        {rowCount === 0 && !win.error ? <div className="grid-empty">No runs match.</div> : null}
      </div>
      {win.error ? <ErrorPanel compact error={win.error} what="runs" onRetry={() => void win.ensure(firstIndex, lastIndex)} /> : null}
    </div>
  );
}

function HeaderCell({ col, w, left, sort, onSortClick, onResize }: { col: Column; w: number; left?: number; sort: Sort | null; onSortClick(c: Column): void; onResize(id: string, w: number): void }) {
  const sorted = sort?.columnId === col.id ? (sort.desc ? 'descending' : 'ascending') : 'none';
  const startResize = (e: ReactMouseEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const x0 = e.clientX;
    const move = (ev: MouseEvent) => onResize(col.id, Math.max(48, Math.round(w + ev.clientX - x0)));
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };
  const title = col.orderField ? `${col.group === 'Attributes' ? '' : `${col.group.slice(0, -1)} `}${col.label} — click to sort` : `${col.label} (the API cannot order runs by this column)`;
  return (
    <div
      className={`hcell ${col.align === 'right' ? 'right' : ''} ${col.orderField ? 'sortable' : ''} kind-${col.kind}`}
      role="columnheader"
      aria-sort={sorted}
      title={title}
      style={{ width: w, ...(left !== undefined ? { position: 'absolute', left, top: 0 } : {}) }}
      onClick={() => onSortClick(col)}
      data-column={col.id}
    >
      {col.kind !== 'attr' ? <span className="hkind">{col.kind === 'metric' ? 'M' : col.kind === 'param' ? 'P' : 'T'}</span> : null}
      <span className="hlabel">{col.label}</span>
      {sorted !== 'none' ? <span className="sort-mark" aria-hidden="true">{sorted === 'descending' ? '↓' : '↑'}</span> : null}
      <span className="resize" onMouseDown={startResize} onClick={(e) => e.stopPropagation()} aria-hidden="true" />
    </div>
  );
}

interface RowProps {
  run: Run;
  index: number;
  top: number;
  width: number;
  pinnedWidth: number;
  pinned: Column[];
  free: Column[];
  vcols: Array<{ index: number; start: number; size: number }>;
  colWidth(c: Column): number;
  selected: boolean;
  active: boolean;
  ws: string;
  now: number;
  onToggle(run: Run): void;
  onClickRow(): void;
}

const GridRow = memo(function GridRow(r: RowProps) {
  return (
    <div
      className={`grid-row${r.selected ? ' selected' : ''}${r.active ? ' active' : ''}${r.index % 2 ? ' odd' : ''}`}
      role="row"
      aria-rowindex={r.index + 2}
      aria-selected={r.selected}
      data-run={r.run.id}
      style={{ top: r.top, height: ROW_H, width: r.width }}
      onClick={r.onClickRow}
    >
      <div className="pinned" style={{ width: r.pinnedWidth }}>
        <div className="cell select-cell" style={{ width: SELECT_W }} role="gridcell">
          <input type="checkbox" aria-label={`Select ${r.run.display_name}`} checked={r.selected} onChange={() => r.onToggle(r.run)} tabIndex={-1} />
        </div>
        {r.pinned.map((c) => (
          <CellView key={c.id} col={c} run={r.run} w={r.colWidth(c)} ws={r.ws} now={r.now} />
        ))}
      </div>
      {r.vcols.map((vc) => {
        const c = r.free[vc.index];
        return c ? <CellView key={c.id} col={c} run={r.run} w={vc.size} left={vc.start} ws={r.ws} now={r.now} /> : null;
      })}
    </div>
  );
});

function CellView({ col, run, w, left, ws, now }: { col: Column; run: Run; w: number; left?: number; ws: string; now: number }) {
  const style = { width: w, ...(left !== undefined ? { position: 'absolute' as const, left, top: 0 } : {}) };
  const cls = `cell ${col.align === 'right' ? 'right num' : ''} kind-${col.kind}`;
  if (col.id === 'attr:status') {
    return (
      <div className={cls} style={style} role="gridcell">
        <StatusBadge status={run.status} title={run.status_reason ?? undefined} />
      </div>
    );
  }
  if (col.id === 'attr:name') {
    return (
      <div className={`${cls} name-cell`} style={style} role="gridcell" title={`${run.display_name} (${run.id})`}>
        <Link to={`/w/${encodeURIComponent(ws)}/runs/${encodeURIComponent(run.id)}`} className="run-link">
          {run.display_name}
        </Link>
        {run.display_name !== run.id ? <span className="run-id">{run.id}</span> : null}
      </div>
    );
  }
  const cell = cellOf(col, run, now);
  return (
    <div className={cls} style={style} role="gridcell" title={cell.title}>
      {cell.text}
    </div>
  );
}
