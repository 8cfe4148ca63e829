import { useMemo, useState } from 'react';
import type { LatheClient } from '@lathe/client';
import type { MetricSeries } from '@lathe/contract';
import { useApi } from '../../app/api-context';
import { formatCount, formatMetric, metricNumber } from '../../lib/format';
import { ErrorPanel } from '../states';
import { MetricChart, type ChartLine } from './metric-chart';
import { bucketsToArrays, zoomToSteps, type ChartArrays, type XMode } from './series';

export interface PanelRun {
  id: string;
  label: string;
  color: string;
  /** Time zero of the time axis (the run's start). */
  t0: number;
}

export interface ChartSettings {
  xMode: XMode;
  logY: boolean;
  smoothing: number;
  band: boolean;
}

const BUCKETS = 1000;

/**
 * One metric of one or more runs: fetches the server's downsampled series, draws it, and
 * on a drag-zoom fetches the zoomed step range again so detail appears as you zoom in.
 */
export function MetricPanel({ client, ws, runs, metricKey, settings, live, syncKey }: { client: LatheClient; ws: string; runs: PanelRun[]; metricKey: string; settings: ChartSettings; live: boolean; syncKey?: string }) {
  const [zoom, setZoom] = useState<{ x: { min: number; max: number }; steps: { minStep: number; maxStep: number } } | null>(null);
  const ids = runs.map((r) => r.id).join(',');
  const key = `series:${ws}:${ids}:${metricKey}:${zoom ? `${zoom.steps.minStep}-${zoom.steps.maxStep}` : 'all'}`;
  const series = useApi<MetricSeries[]>(
    key,
    () =>
      Promise.all(
        runs.map((r) =>
          client.call('getMetricSeries', {
            params: { run: r.id },
            query: { key: metricKey, buckets: BUCKETS, ...(zoom ? { min_step: zoom.steps.minStep, max_step: zoom.steps.maxStep } : {}) },
          }),
        ),
      ),
    { pollMs: live && !zoom ? 3000 : false },
  );

  const arrays: ChartArrays[] = useMemo(
    () => (series.data ?? []).map((s, i) => bucketsToArrays(s.buckets, settings.xMode, { logScale: settings.logY, t0: runs[i]?.t0 })),
    [series.data, settings.xMode, settings.logY, runs],
  );
  const lines: ChartLine[] = arrays.map((a, i) => ({ label: runs[i]?.label ?? '', color: runs[i]?.color ?? '#888', arrays: a }));

  const onZoom = (range: { min: number; max: number } | null) => {
    if (!range) {
      setZoom(null);
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of arrays) {
      const s = zoomToSteps(a, settings.xMode, range.min, range.max);
      if (s) {
        lo = Math.min(lo, s.minStep);
        hi = Math.max(hi, s.maxStep);
      }
    }
    if (lo <= hi) setZoom({ x: range, steps: { minStep: lo, maxStep: hi } });
  };

  const total = (series.data ?? []).reduce((s, x) => s + x.total_points, 0);
  const latest = runs.length === 1 ? series.data?.[0]?.buckets.at(-1)?.last : undefined;

  return (
    <section className="panel metric-panel" data-metric={metricKey}>
      <header className="panel-head">
        <span className="metric-name">{metricKey}</span>
        {latest !== undefined ? <span className="metric-latest num">{formatMetric(latest)}</span> : null}
        <span className="spacer" />
        {zoom ? (
          <button type="button" className="link-btn" onClick={() => setZoom(null)} title="Show every step again">
            steps {formatCount(zoom.steps.minStep)}–{formatCount(zoom.steps.maxStep)} · reset zoom
          </button>
        ) : null}
        <span className="muted small" data-testid="points">
          {series.data ? `${formatCount(total)} point${total === 1 ? '' : 's'}` : ''}
        </span>
      </header>
      {series.error && !series.data ? <ErrorPanel compact error={series.error} what={`metric ${metricKey}`} onRetry={series.reload} /> : null}
      {series.data ? (
        total === 0 ? (
          <div className="chart-empty muted">No points yet.</div>
        ) : series.data.every((x) => x.total_points <= 1) ? (
          <SingleValues runs={runs} series={series.data} />
        ) : (
          <MetricChart
            lines={lines}
            xMode={settings.xMode}
            logY={settings.logY}
            smoothing={settings.smoothing}
            band={settings.band}
            onZoom={onZoom}
            zoom={zoom?.x ?? null}
            syncKey={syncKey}
            ariaLabel={`${metricKey} by ${settings.xMode}`}
          />
        )
      ) : series.error ? null : (
        <div className="chart-skeleton" aria-hidden="true" />
      )}
    </section>
  );
}

/** Metrics logged once per run (a final score): a number, or bars side by side, not a chart of one dot. */
function SingleValues({ runs, series }: { runs: PanelRun[]; series: MetricSeries[] }) {
  const values = series.map((s) => s.buckets[0]?.last);
  if (runs.length === 1) {
    const b = series[0]?.buckets[0];
    return (
      <div className="big-value" data-testid="single-value">
        {formatMetric(values[0])}
        {b ? <span className="muted">step {b.last_step}</span> : null}
      </div>
    );
  }
  const nums = values.map((v) => metricNumber(v)).filter((v) => Number.isFinite(v));
  const lo = Math.min(0, ...nums);
  const hi = Math.max(0, ...nums);
  const span = hi - lo || 1;
  return (
    <div className="value-bars">
      {runs.map((r, i) => {
        const v = metricNumber(values[i]);
        const ok = Number.isFinite(v);
        return (
          <div key={r.id} className="value-bar" title={r.label}>
            <span className="vb-label">{r.label}</span>
            <span className="vb-track">
              {ok ? <span className="vb-fill" style={{ display: 'block', marginLeft: `${((Math.min(v, 0) - lo) / span) * 100}%`, width: `${(Math.abs(v) / span) * 100}%`, background: r.color }} /> : null}
            </span>
            <span className="vb-value">{values[i] === undefined ? '—' : formatMetric(values[i])}</span>
          </div>
        );
      })}
    </div>
  );
}

/** The controls every chart grid shares: x axis, log scale, smoothing, band. */
export function ChartControls({ settings, onChange, showBand = true }: { settings: ChartSettings; onChange(s: ChartSettings): void; showBand?: boolean }) {
  return (
    <div className="chart-controls" role="group" aria-label="Chart settings">
      <div className="segmented" role="radiogroup" aria-label="X axis">
        {(['step', 'time'] as const).map((m) => (
          <button key={m} type="button" role="radio" aria-checked={settings.xMode === m} className={settings.xMode === m ? 'on' : ''} onClick={() => onChange({ ...settings, xMode: m })}>
            {m === 'step' ? 'Step' : 'Wall time'}
          </button>
        ))}
      </div>
      <label className="check">
        <input type="checkbox" checked={settings.logY} onChange={(e) => onChange({ ...settings, logY: e.target.checked })} />
        Log scale
      </label>
      {showBand ? (
        <label className="check" title="The range of values each drawn point stands for">
          <input type="checkbox" checked={settings.band} onChange={(e) => onChange({ ...settings, band: e.target.checked })} />
          Min/max band
        </label>
      ) : null}
      <label className="slider">
        Smoothing
        <input type="range" min={0} max={0.99} step={0.01} value={settings.smoothing} onChange={(e) => onChange({ ...settings, smoothing: Number(e.target.value) })} aria-label="Smoothing" />
        <span className="num">{settings.smoothing.toFixed(2)}</span>
      </label>
    </div>
  );
}

const SETTINGS_KEY = 'lathe.chart-settings';

export function loadChartSettings(): ChartSettings {
  try {
    const v = JSON.parse(window.localStorage.getItem(SETTINGS_KEY) ?? 'null') as Partial<ChartSettings> | null;
    if (v) return { xMode: v.xMode === 'time' ? 'time' : 'step', logY: !!v.logY, smoothing: Number(v.smoothing) || 0, band: v.band !== false };
  } catch {
    // defaults
  }
  return { xMode: 'step', logY: false, smoothing: 0, band: true };
}

export function saveChartSettings(s: ChartSettings): void {
  try {
    window.localStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
  } catch {
    // not kept
  }
}

/** Distinct colours for runs on one chart (colour-blind-friendly order). */
export const RUN_COLORS = ['#4f6bed', '#e8743b', '#19a979', '#ed4a7b', '#945ecf', '#13a4b4', '#c9a227', '#6c8893', '#d6604d', '#5aa454'];
