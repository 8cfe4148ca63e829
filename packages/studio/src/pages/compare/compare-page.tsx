import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Run } from '@lathe/contract';
import { useApi, useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { ChartControls, MetricPanel, RUN_COLORS, loadChartSettings, saveChartSettings, type ChartSettings, type PanelRun } from '../../components/chart/metric-panel';
import { axisSources, defaultAxes, diffRows, type Section } from '../../components/compare/compare-model';
import { ParallelCoordinates } from '../../components/compare/parallel-coordinates';
import { CloseIcon } from '../../components/icons';
import { StatusBadge } from '../../components/status-badge';
import { Empty, ErrorPanel, Loading } from '../../components/states';

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(800);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    setW(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

/** Several runs side by side: overlaid metric charts, a table of what differs, parallel coordinates. */
export function ComparePage() {
  const { ws, client } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  const [search, setSearch] = useSearchParams();
  const ids = useMemo(() => (search.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean), [search]);
  const setIds = (next: string[]) => {
    const p = new URLSearchParams(search);
    p.set('runs', next.join(','));
    setSearch(p);
  };
  const runsApi = useApi(`compare:${ws}:${ids.join(',')}`, () => Promise.all(ids.map((id) => client.call('getRun', { params: { run: id } }))), {
    pollMs: 5000,
  });
  const runs = runsApi.data ?? [];
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: runs[0] ? runs[0].experiment_name : 'Runs', to: runs[0] ? `${base}/experiments/${encodeURIComponent(runs[0].experiment_name)}` : `${base}/runs` }, { label: `Compare ${ids.length} runs` }]);

  const colored = runs.map((r, i) => ({ run: r, color: RUN_COLORS[i % RUN_COLORS.length]! }));
  const [settings, setSettings] = useState<ChartSettings>(() => ({ ...loadChartSettings(), band: false }));
  const panelRuns: PanelRun[] = useMemo(() => colored.map(({ run, color }) => ({ id: run.id, label: run.display_name === run.id ? run.id : `${run.display_name} · ${run.id}`, color, t0: run.started_at ?? run.created_at })), [runsApi.data]);
  // Series (logged over steps) first, single values (a final score) after.
  const metricKeys = useMemo(() => {
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
    const series = (k: string) => runs.some((r) => (r.metrics[k]?.step ?? 0) > 0);
    return [...keys.filter(series), ...keys.filter((k) => !series(k))];
  }, [runs]);
  const anyActive = runs.some((r) => !['Completed', 'Failed', 'Canceled'].includes(r.status));

  const rows = useMemo(() => diffRows(runs), [runs]);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const sources = useMemo(() => axisSources(runs), [runs]);
  const [axes, setAxes] = useState<string[] | null>(null);
  const axisIds = axes ?? defaultAxes(sources);
  const [pcRef, pcWidth] = useWidth<HTMLDivElement>();

  if (ids.length === 0) {
    return (
      <div className="page">
        <Empty title="Nothing to compare yet">
          Select two or more runs in an experiment's table (tick their boxes, or press <kbd>x</kbd> on each), then choose Compare.
        </Empty>
      </div>
    );
  }
  if (runsApi.loading) return <Loading what="the runs to compare" />;
  if (runsApi.error && !runsApi.data) return <div className="page"><ErrorPanel error={runsApi.error} what="the runs to compare" onRetry={runsApi.reload} /></div>;

  return (
    <div className="page compare-page">
      <div className="page-head">
        <h1>Compare runs</h1>
      </div>
      <div className="run-chips" data-testid="compare-runs">
        {colored.map(({ run, color }) => (
          <span key={run.id} className="run-chip" style={{ borderColor: color }}>
            <span className="swatch" style={{ background: color }} />
            <Link to={`${base}/runs/${encodeURIComponent(run.id)}`}>{run.display_name}</Link>
            <span className="muted mono small">{run.id}</span>
            <StatusBadge status={run.status} />
            <button type="button" className="icon-btn" aria-label={`Remove ${run.id}`} onClick={() => setIds(ids.filter((i) => i !== run.id))}>
              <CloseIcon />
            </button>
          </span>
        ))}
        <AddRun experiment={runs[0]?.experiment_name} exclude={ids} onAdd={(id) => setIds([...ids, id])} />
      </div>

      {runs.length < 2 ? <div className="notice">Add at least one more run to compare.</div> : null}

      <section className="compare-section">
        <div className="section-head">
          <h2>Metrics</h2>
          <ChartControls settings={settings} onChange={(s) => { setSettings(s); saveChartSettings(s); }} showBand={false} />
        </div>
        {metricKeys.length === 0 ? <div className="muted small">These runs logged no metrics.</div> : null}
        <div className="chart-grid">
          {metricKeys.map((k) => (
            <MetricPanel key={k} client={client} ws={ws} runs={panelRuns.filter((r) => runs.find((x) => x.id === r.id)?.metrics[k])} metricKey={k} settings={settings} live={anyActive} syncKey="compare" />
          ))}
        </div>
      </section>

      <section className="compare-section">
        <div className="section-head">
          <h2>Params and metrics</h2>
          <label className="check">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} />
            Only differences <span className="muted">({rows.filter((r) => r.differs).length})</span>
          </label>
        </div>
        <div className="diff-wrap">
          <table className="table diff" data-testid="diff-table">
            <thead>
              <tr>
                <th />
                {colored.map(({ run, color }) => (
                  <th key={run.id}>
                    <span className="swatch" style={{ background: color }} /> {run.display_name === run.id ? run.id : run.display_name}
                    <div className="muted mono small">{run.display_name === run.id ? '' : run.id}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(['Attributes', 'Params', 'Metrics'] as Section[]).map((section) => {
                const list = rows.filter((r) => r.section === section && (!onlyDiff || r.differs));
                if (!list.length) return null;
                return [
                  <tr key={section} className="group-row">
                    <th colSpan={runs.length + 1}>{section}</th>
                  </tr>,
                  ...list.map((r) => (
                    <tr key={`${section}:${r.key}`} className={r.differs ? 'differs' : ''} data-differs={r.differs}>
                      <th className="mono">{r.key}</th>
                      {r.values.map((v, i) => (
                        <td key={i} className={`${section === 'Metrics' ? 'num' : 'mono'}${v === '' ? ' muted' : ''}`}>
                          {v === '' ? '—' : v}
                        </td>
                      ))}
                    </tr>
                  )),
                ];
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="compare-section">
        <div className="section-head">
          <h2>Parallel coordinates</h2>
          <details className="axis-picker">
            <summary className="btn small">Axes ({axisIds.length})</summary>
            <div className="popover">
              {sources.map((s) => (
                <label key={s.id} className="check chooser-item">
                  <input type="checkbox" checked={axisIds.includes(s.id)} onChange={(e) => setAxes(e.target.checked ? [...axisIds, s.id] : axisIds.filter((a) => a !== s.id))} />
                  <span className="muted small">{s.id.startsWith('metric:') ? 'metric' : 'param'}</span> {s.label}
                </label>
              ))}
            </div>
          </details>
        </div>
        <div ref={pcRef} className="pc-wrap">
          <ParallelCoordinates sources={sources} axisIds={axisIds} runs={colored.map(({ run, color }) => ({ id: run.id, label: run.display_name, color }))} width={pcWidth} />
        </div>
      </section>
    </div>
  );
}

function AddRun({ experiment, exclude, onAdd }: { experiment: string | undefined; exclude: string[]; onAdd(id: string): void }) {
  const { ws, client } = useWorkspace();
  const recent = useApi<Run[]>(experiment ? `recent:${ws}:${experiment}` : null, () => client.call('listRuns', { query: { experiment, max_results: 100 } }).then((p) => p.items));
  const options = (recent.data ?? []).filter((r) => !exclude.includes(r.id));
  if (!options.length) return null;
  return (
    <select className="add-run" value="" onChange={(e) => e.target.value && onAdd(e.target.value)} aria-label="Add a run">
      <option value="">+ Add a run…</option>
      {options.map((r) => (
        <option key={r.id} value={r.id}>
          {r.display_name} · {r.id} ({r.status})
        </option>
      ))}
    </select>
  );
}
