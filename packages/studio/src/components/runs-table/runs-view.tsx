import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { LatheError, type Run } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useKeys } from '../../app/keys';
import { formatCount } from '../../lib/format';
import { ColumnsIcon, CompareIcon, SearchIcon } from '../icons';
import { ColumnChooser } from './column-chooser';
import { buildColumns, keysOfRuns, mergeKeys, nextSort, orderByOf, parseOrderBy, visibleColumns, type Column, type ExperimentKeys } from './column-model';
import { RunsTable } from './runs-table';
import { prefetchFirstPage } from './window-fetch';

interface ColumnPrefs {
  hidden: string[];
  shown: string[];
  widths: Record<string, number>;
}

const EMPTY_KEYS: ExperimentKeys = { metrics: [], params: [], tags: [] };

function loadPrefs(key: string): ColumnPrefs {
  try {
    const v = JSON.parse(window.localStorage.getItem(key) ?? 'null') as ColumnPrefs | null;
    if (v && Array.isArray(v.hidden) && Array.isArray(v.shown)) return { hidden: v.hidden, shown: v.shown, widths: v.widths ?? {} };
  } catch {
    // fall through
  }
  return { hidden: [], shown: [], widths: {} };
}

const FILTER_EXAMPLES = [
  "metrics.loss < 0.5",
  "params.lr = '0.1' and attributes.status = 'Completed'",
  "tags.mlflow.source.git.branch = 'main'",
  "attributes.run_name LIKE 'train%'",
];

/**
 * A runs table with its toolbar: the filter box (the API's search grammar, passed through
 * as `filter`), server-side sort on any sortable column, the column chooser and run
 * selection for comparing. Filter and order live in the address, so a view can be shared.
 */
export function RunsView({ experiment }: { experiment?: string }) {
  const { ws, client } = useWorkspace();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const filter = search.get('filter') ?? '';
  const orderParam = search.get('order');
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);

  // The experiment's full key list is asked for once the first rows are on screen: the
  // server answers one query at a time, and the rows matter first (their own keys already
  // give the columns of what is visible).
  const [rowsShown, setRowsShown] = useState(false);
  useEffect(() => setRowsShown(false), [ws, experiment]);
  const keysApi = useApi(experiment && rowsShown ? `keys:${ws}:${experiment}` : null, () => client.call('getExperimentKeys', { params: { name: experiment! } }));
  const countApi = useApi(`count:${ws}:${experiment ?? ''}:${filter}`, () => client.call('countRuns', { query: { experiment, filter: filter || undefined } }), { pollMs: 5000 });
  const [seenKeys, setSeenKeys] = useState<ExperimentKeys>(EMPTY_KEYS);
  useEffect(() => setSeenKeys(EMPTY_KEYS), [ws, experiment]);
  const keys = useMemo(() => mergeKeys(keysApi.data ?? EMPTY_KEYS, seenKeys), [keysApi.data, seenKeys]);
  const allColumns = useMemo(() => buildColumns(keys), [keys]);

  const prefsKey = `lathe.columns.${ws}.${experiment ?? '*'}`;
  const [prefs, setPrefs] = useState<ColumnPrefs>(() => loadPrefs(prefsKey));
  useEffect(() => setPrefs(loadPrefs(prefsKey)), [prefsKey]);
  const savePrefs = useCallback(
    (next: ColumnPrefs) => {
      setPrefs(next);
      try {
        window.localStorage.setItem(prefsKey, JSON.stringify(next));
      } catch {
        // storage full or disabled: the choice lasts for this page
      }
    },
    [prefsKey],
  );
  const hidden = useMemo(() => new Set(prefs.hidden), [prefs.hidden]);
  const shown = useMemo(() => new Set(prefs.shown), [prefs.shown]);
  const columns = useMemo(() => visibleColumns(allColumns, hidden, shown), [allColumns, hidden, shown]);
  const isVisible = useCallback((c: Column) => (c.defaultVisible ? !hidden.has(c.id) : shown.has(c.id)), [hidden, shown]);
  const setVisible = useCallback(
    (cols: Column[], visible: boolean) => {
      const h = new Set(prefs.hidden);
      const s = new Set(prefs.shown);
      for (const c of cols) {
        if (c.defaultVisible) {
          if (visible) h.delete(c.id);
          else h.add(c.id);
        } else if (visible) s.add(c.id);
        else s.delete(c.id);
      }
      savePrefs({ ...prefs, hidden: [...h], shown: [...s] });
    },
    [prefs, savePrefs],
  );
  const onResize = useCallback((id: string, w: number) => savePrefs({ ...prefs, widths: { ...prefs.widths, [id]: w } }), [prefs, savePrefs]);

  const sort = parseOrderBy(orderParam);
  const orderBy = orderByOf(sort, allColumns) ?? (sort ? orderParam ?? undefined : undefined);
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next);
  };
  const onSortClick = useCallback(
    (col: Column) => {
      if (!col.orderField) return;
      const s = nextSort(sort, col);
      const next = new URLSearchParams(search);
      const ob = orderByOf(s, allColumns);
      prefetchFirstPage(client, ws, { experiment, filter: filter || undefined, orderBy: ob });
      if (ob) next.set('order', ob);
      else next.delete('order');
      setSearch(next, { replace: false });
    },
    [sort, search, setSearch, allColumns, client, ws, experiment, filter],
  );

  const [selected, setSelected] = useState<Map<string, Run>>(new Map());
  const onToggle = useCallback((run: Run) => {
    setSelected((m) => {
      const n = new Map(m);
      if (n.has(run.id)) n.delete(run.id);
      else n.set(run.id, run);
      return n;
    });
  }, []);
  const selectedIds = useMemo(() => new Set(selected.keys()), [selected]);
  const compare = () => {
    if (selected.size < 2) return;
    navigate(`/w/${encodeURIComponent(ws)}/compare?runs=${[...selected.keys()].map(encodeURIComponent).join(',')}`);
  };
  const onOpen = useCallback((run: Run) => navigate(`/w/${encodeURIComponent(ws)}/runs/${encodeURIComponent(run.id)}`), [navigate, ws]);
  const onRows = useCallback((rows: Run[]) => {
    const k = keysOfRuns(rows);
    setSeenKeys((prev) => {
      const merged = mergeKeys(prev, k);
      return merged.metrics === prev.metrics && merged.params === prev.params && merged.tags === prev.tags ? prev : merged;
    });
  }, []);
  const onFirstRows = useCallback(() => {
    performance.mark('lathe:runs-visible');
    setRowsShown(true);
  }, []);

  const [chooser, setChooser] = useState(false);
  const gridFocus = useRef<HTMLDivElement>(null);
  useKeys({ c: compare });

  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setParam('filter', draft.trim() || null);
  };
  const filterError = countApi.error instanceof LatheError && countApi.error.code === 'INVALID_ARGUMENT' ? countApi.error.message : null;

  return (
    <div className="runs-view" ref={gridFocus}>
      <div className="toolbar">
        <form className={`filter-box${filterError ? ' invalid' : ''}`} onSubmit={applyFilter} role="search">
          <SearchIcon />
          <input
            data-search
            className="filter-input"
            aria-label="Filter runs"
            placeholder="Filter runs: metrics.loss < 0.5 and params.lr = '0.1'"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setDraft('');
                setParam('filter', null);
                (e.target as HTMLInputElement).blur();
              }
            }}
            list="filter-examples"
            spellCheck={false}
          />
          <datalist id="filter-examples">
            {FILTER_EXAMPLES.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
          {filter ? (
            <button type="button" className="link-btn" onClick={() => setParam('filter', null)}>
              clear
            </button>
          ) : null}
        </form>
        <span className="count" aria-live="polite" data-testid="run-count">
          {countApi.data ? `${formatCount(countApi.data.count)} run${countApi.data.count === 1 ? '' : 's'}` : countApi.error ? '' : '…'}
        </span>
        <span className="spacer" />
        {selected.size > 0 ? (
          <button type="button" className="link-btn" onClick={() => setSelected(new Map())}>
            clear selection
          </button>
        ) : null}
        <button type="button" className="btn" disabled={selected.size < 2} onClick={compare} title="Compare the selected runs (c)">
          <CompareIcon /> Compare{selected.size ? ` (${selected.size})` : ''}
        </button>
        <div className="popover-anchor">
          <button type="button" className="btn" data-columns-button onClick={() => setChooser((v) => !v)} aria-expanded={chooser}>
            <ColumnsIcon /> Columns <span className="muted">{columns.length}/{allColumns.length}</span>
          </button>
          {chooser ? <ColumnChooser columns={allColumns} isVisible={isVisible} setVisible={setVisible} onClose={() => setChooser(false)} /> : null}
        </div>
      </div>
      {filterError ? (
        <div className="filter-error" role="alert" data-testid="filter-error">
          {filterError}
        </div>
      ) : null}
      {filterError ? null : (
        <RunsTable
          client={client}
          ws={ws}
          query={{ experiment, filter: filter || undefined, orderBy }}
          count={countApi.data?.count}
          columns={columns}
          widths={prefs.widths}
          onResize={onResize}
          sort={sort}
          onSortClick={onSortClick}
          selected={selectedIds}
          onToggle={onToggle}
          onOpen={onOpen}
          onRows={onRows}
          onFirstRows={onFirstRows}
        />
      )}
    </div>
  );
}
