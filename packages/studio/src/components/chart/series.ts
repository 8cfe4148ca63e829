/**
 * From the server's downsampled metric (buckets holding min, max and the last point) to the
 * arrays a chart draws, plus smoothing, aligning several runs on one x axis, and mapping a
 * zoomed x range back to steps for a finer query. Pure functions, tested without a browser.
 */
import type { SeriesBucket } from '@lathe/contract';

export type XMode = 'step' | 'time';

export interface ChartArrays {
  /** Step, or seconds since the series' first point. Ascending. */
  x: number[];
  last: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
  /** The step range each x stands for (to query a zoomed range again). */
  stepStart: number[];
  stepEnd: number[];
}

/** A wire value as a number to draw, or null (a gap) for NaN, infinities, and non-positive values on a log scale. */
export function drawable(v: number | string, logScale = false): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (logScale && v <= 0) return null;
  return v;
}

/**
 * Buckets → chart arrays. In step mode x is each bucket's last step; in time mode it is
 * the last point's time in seconds after `t0` (default: the earliest point), and buckets
 * are put in time order.
 */
export function bucketsToArrays(buckets: readonly SeriesBucket[], xMode: XMode, opts: { logScale?: boolean; t0?: number } = {}): ChartArrays {
  const log = opts.logScale ?? false;
  let order = buckets.map((_, i) => i);
  let t0 = 0;
  if (xMode === 'time') {
    t0 = opts.t0 ?? Math.min(...buckets.map((b) => b.last_timestamp));
    order = order.sort((a, b) => buckets[a]!.last_timestamp - buckets[b]!.last_timestamp || buckets[a]!.last_step - buckets[b]!.last_step);
  }
  const out: ChartArrays = { x: [], last: [], min: [], max: [], stepStart: [], stepEnd: [] };
  for (const i of order) {
    const b = buckets[i]!;
    out.x.push(xMode === 'step' ? b.last_step : (b.last_timestamp - t0) / 1000);
    out.last.push(drawable(b.last, log));
    out.min.push(drawable(b.min, log));
    out.max.push(drawable(b.max, log));
    out.stepStart.push(b.step_start);
    out.stepEnd.push(b.step_end);
  }
  return out;
}

/**
 * Exponential moving average with debiasing (TensorBoard's smoothing): weight 0 is the
 * raw series, 0.99 very smooth; gaps stay gaps and do not reset the average.
 */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return [...values];
  const w = Math.min(weight, 0.999);
  let acc = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null) return null;
    acc = acc * w + (1 - w) * v;
    n++;
    return acc / (1 - w ** n);
  });
}

/**
 * Put several series on one x axis (uPlot draws aligned columns): the sorted union of their
 * x values, each series' y at its own x values and null elsewhere.
 */
export function alignSeries(series: ReadonlyArray<{ x: readonly number[]; y: ReadonlyArray<number | null> }>): { x: number[]; ys: Array<Array<number | null>> } {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => {
      y[index.get(x)!] = s.y[i] ?? null;
    });
    return y;
  });
  return { x: xs, ys };
}

/**
 * The step range to query again for a zoomed x range: in step mode the range itself; in
 * time mode the steps of the buckets drawn inside it. Null when nothing is inside.
 */
export function zoomToSteps(arrays: ChartArrays, xMode: XMode, xMin: number, xMax: number): { minStep: number; maxStep: number } | null {
  if (xMode === 'step') {
    if (!(xMax >= xMin)) return null;
    return { minStep: Math.floor(xMin), maxStep: Math.ceil(xMax) };
  }
  let lo = Infinity;
  let hi = -Infinity;
  arrays.x.forEach((x, i) => {
    if (x >= xMin && x <= xMax) {
      lo = Math.min(lo, arrays.stepStart[i]!);
      hi = Math.max(hi, arrays.stepEnd[i]!);
    }
  });
  return lo <= hi ? { minStep: lo, maxStep: hi } : null;
}

/** Whether a zoomed range covers (nearly) everything: then the full series is drawn again. */
export function isFullRange(xMin: number, xMax: number, dataMin: number, dataMax: number): boolean {
  const span = Math.max(1e-9, dataMax - dataMin);
  return xMin <= dataMin + span * 1e-3 && xMax >= dataMax - span * 1e-3;
}

/** Seconds as an axis label: 45s, 12m, 1.5h. */
export function formatSeconds(s: number): string {
  const a = Math.abs(s);
  if (a < 60) return `${Number(s.toFixed(a < 10 ? 1 : 0))}s`;
  if (a < 3600) return `${Number((s / 60).toFixed(a < 600 ? 1 : 0))}m`;
  if (a < 86400 * 2) return `${Number((s / 3600).toFixed(1))}h`;
  return `${Number((s / 86400).toFixed(1))}d`;
}
