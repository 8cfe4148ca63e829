import { useEffect, useMemo, useRef, useState } from 'react';
import type { Column, ColumnGroup } from './column-model';

const GROUPS: ColumnGroup[] = ['Attributes', 'Params', 'Metrics', 'Tags'];
const LIST_LIMIT = 400;

/**
 * Pick the table's columns: search by name, tick one by one, or show/hide a whole group.
 * Groups with thousands of keys list the first few hundred matches; the search narrows them.
 */
export function ColumnChooser({ columns, isVisible, setVisible, onClose }: { columns: Column[]; isVisible(c: Column): boolean; setVisible(cols: Column[], visible: boolean): void; onClose(): void }) {
  const [q, setQ] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node) && !(e.target as HTMLElement).closest('[data-columns-button]')) onClose();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  const needle = q.trim().toLowerCase();
  const byGroup = useMemo(() => {
    const out = new Map<ColumnGroup, Column[]>();
    for (const g of GROUPS) out.set(g, []);
    for (const c of columns) if (!needle || c.label.toLowerCase().includes(needle)) out.get(c.group)!.push(c);
    return out;
  }, [columns, needle]);

  return (
    <div className="popover column-chooser" ref={ref} role="dialog" aria-label="Columns">
      <input className="input" placeholder="Find a column…" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
      <div className="chooser-groups">
        {GROUPS.map((g) => {
          const cols = byGroup.get(g)!;
          if (cols.length === 0) return null;
          const shown = cols.filter(isVisible).length;
          return (
            <div key={g} className="chooser-group">
              <div className="chooser-head">
                <span>
                  {g} <span className="muted">{shown}/{cols.length}</span>
                </span>
                <span className="chooser-actions">
                  <button type="button" className="link-btn" onClick={() => setVisible(cols.filter((c) => !c.pinned), true)}>
                    all
                  </button>
                  <button type="button" className="link-btn" onClick={() => setVisible(cols.filter((c) => !c.pinned), false)}>
                    none
                  </button>
                </span>
              </div>
              {cols.slice(0, LIST_LIMIT).map((c) => (
                <label key={c.id} className="check chooser-item">
                  <input type="checkbox" checked={isVisible(c)} disabled={c.pinned} onChange={(e) => setVisible([c], e.target.checked)} />
                  <span className="chooser-label">{c.label}</span>
                </label>
              ))}
              {cols.length > LIST_LIMIT ? <div className="muted small">…and {cols.length - LIST_LIMIT} more; search to narrow.</div> : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}
