import { useEffect, useReducer, useRef } from 'react';
import uPlot from 'uplot';
import { cssVar } from '../../app/theme';
import { formatMetric } from '../../lib/format';
import { alignSeries, formatSeconds, isFullRange, smooth, type ChartArrays, type XMode } from './series';

export interface ChartLine {
  label: string;
  color: string;
  arrays: ChartArrays;
}

export interface MetricChartProps {
  lines: ChartLine[];
  xMode: XMode;
  logY: boolean;
  /** 0 (raw) … 0.99. The raw line stays, faded, under the smoothed one. */
  smoothing: number;
  /** Draw each line's min/max band (what the downsampling folded into a point). */
  band: boolean;
  height?: number;
  /** A drag-zoom (x range in x units), or null when the chart went back to the full range. */
  onZoom?(range: { min: number; max: number } | null): void;
  /** Cursor sync group: charts with the same key share the hover position. */
  syncKey?: string;
  /** Set while a zoomed range is being fetched: the chart keeps this x range. */
  zoom?: { min: number; max: number } | null;
  ariaLabel: string;
}

function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#') && color.length === 7) {
    const n = parseInt(color.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return color;
}

/** Build uPlot's columns: x, then per line [min, max]? raw, smoothed?. */
function buildData(p: MetricChartProps): { data: uPlot.AlignedData; series: uPlot.Series[]; bands: uPlot.Band[] } {
  const cols: Array<{ x: number[]; y: Array<number | null> }> = [];
  const series: uPlot.Series[] = [{ label: p.xMode === 'step' ? 'step' : 'time', value: (_u, v) => (v === null || v === undefined ? '' : p.xMode === 'step' ? String(v) : formatSeconds(v)) }];
  const bands: uPlot.Band[] = [];
  const smoothing = p.smoothing > 0;
  for (const line of p.lines) {
    const a = line.arrays;
    if (p.band) {
      cols.push({ x: a.x, y: a.min }, { x: a.x, y: a.max });
      const minIdx = series.length;
      series.push({ label: `${line.label} min`, stroke: 'transparent', points: { show: false }, spanGaps: true, value: (_u, v) => formatMetric(v) });
      series.push({ label: `${line.label} max`, stroke: 'transparent', points: { show: false }, spanGaps: true, value: (_u, v) => formatMetric(v) });
      bands.push({ series: [minIdx + 1, minIdx], fill: withAlpha(line.color, 0.14) });
    }
    cols.push({ x: a.x, y: a.last });
    series.push({ label: smoothing ? `${line.label} (raw)` : line.label, stroke: smoothing ? withAlpha(line.color, 0.3) : line.color, width: 1.5, spanGaps: true, points: { show: a.x.length < 60, size: 4 }, value: (_u, v) => formatMetric(v) });
    if (smoothing) {
      cols.push({ x: a.x, y: smooth(a.last, p.smoothing) });
      series.push({ label: line.label, stroke: line.color, width: 2, spanGaps: true, points: { show: false }, value: (_u, v) => formatMetric(v) });
    }
  }
  const aligned = alignSeries(cols);
  return { data: [aligned.x, ...aligned.ys] as uPlot.AlignedData, series, bands };
}

/**
 * A uPlot chart of one or more downsampled metric series. Drag to zoom (the caller fetches
 * the zoomed range at full resolution), double-click to zoom out; hover shows values.
 */
export function MetricChart(p: MetricChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef('');
  const programmatic = useRef(false);
  const props = useRef(p);
  props.current = p;
  const [, redraw] = useReducer((x: number) => x + 1, 0);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const { data, series, bands } = buildData(p);
    const structure = JSON.stringify([series.map((s) => s.label), p.xMode, p.logY, p.band, p.smoothing > 0, p.lines.map((l) => l.color), p.height]);
    const xs = data[0] as number[];
    if (plot.current && shape.current === structure) {
      programmatic.current = true;
      const u = plot.current;
      const z = p.zoom;
      u.setData(data, !z);
      if (z) u.setScale('x', z);
      programmatic.current = false;
      return;
    }
    plot.current?.destroy();
    shape.current = structure;
    const axisColor = cssVar('--text-muted') || '#667';
    const gridColor = cssVar('--grid') || 'rgba(128,128,128,.15)';
    const font = '11px ui-sans-serif, system-ui, sans-serif';
    const width = Math.max(200, el.clientWidth);
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 220,
      series,
      bands,
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false }, sync: p.syncKey ? { key: p.syncKey, setSeries: false } : undefined, points: { size: 6 } },
      scales: { x: { time: false }, y: p.logY ? { distr: 3 } : { auto: true } },
      axes: [
        { stroke: axisColor, font, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, values: p.xMode === 'time' ? (_u, vals) => vals.map((v) => formatSeconds(v)) : undefined },
        { stroke: axisColor, font, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 56, values: (_u, vals) => vals.map((v) => formatMetric(v)) },
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || programmatic.current) return;
            const min = u.scales.x!.min;
            const max = u.scales.x!.max;
            const all = u.data[0] as number[];
            if (min === undefined || max === undefined || min === null || max === null) return;
            const full = all.length === 0 || isFullRange(min, max, all[0]!, all[all.length - 1]!);
            props.current.onZoom?.(full ? null : { min, max });
          },
        ],
        draw: [
          (u) => {
            u.root.dataset.drawn = String((u.data[0] as number[]).length);
            performance.mark('lathe:chart-drawn');
          },
        ],
      },
    };
    programmatic.current = true;
    plot.current = new uPlot(opts, data, el);
    // The band's min/max series are drawn as a fill only: keep them out of the legend.
    plot.current.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, i) => {
      if (/ (min|max)$/.test(series[i]?.label as string)) row.style.display = 'none';
    });
    if (p.zoom && xs.length) plot.current.setScale('x', p.zoom);
    programmatic.current = false;
  });

  // Follow the container's width.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const u = plot.current;
      if (u && el.clientWidth > 0 && Math.abs(u.width - el.clientWidth) > 2) u.setSize({ width: el.clientWidth, height: u.height });
    });
    ro.observe(el);
    // Canvas colours come from the theme: redraw from scratch when it changes.
    const onTheme = () => {
      shape.current = '';
      redraw();
    };
    window.addEventListener('lathe-theme', onTheme);
    return () => {
      ro.disconnect();
      window.removeEventListener('lathe-theme', onTheme);
    };
  }, []);

  useEffect(
    () => () => {
      plot.current?.destroy();
      plot.current = null;
    },
    [],
  );

  return <div className="chart" ref={host} role="img" aria-label={p.ariaLabel} />;
}
