/**
 * What a comparison shows: a params/metrics/attributes table with the rows whose values
 * differ marked, and the axes of a parallel-coordinates plot (numeric axes scaled to their
 * range, anything else as evenly spaced categories). Pure functions, tested without a browser.
 */
import type { Run } from '@lathe/contract';
import { formatDuration, formatMetric, metricNumber, runDuration } from '../../lib/format';

export type Section = 'Attributes' | 'Params' | 'Metrics';

export interface DiffRow {
  section: Section;
  key: string;
  /** Display value per run; '' where the run has none. */
  values: string[];
  differs: boolean;
}

const union = (lists: string[][]) => [...new Set(lists.flat())].sort((a, b) => a.localeCompare(b));

export function diffRows(runs: readonly Run[]): DiffRow[] {
  const row = (section: Section, key: string, values: string[]): DiffRow => ({ section, key, values, differs: new Set(values).size > 1 });
  const rows: DiffRow[] = [
    row('Attributes', 'status', runs.map((r) => r.status)),
    row('Attributes', 'experiment', runs.map((r) => r.experiment_name)),
    row('Attributes', 'duration', runs.map((r) => formatDuration(runDuration(r)))),
    row('Attributes', 'compute', runs.map((r) => r.compute ?? '')),
    row('Attributes', 'user', runs.map((r) => r.user)),
    row('Attributes', 'git commit', runs.map((r) => (r.tags['mlflow.source.git.commit'] ?? '').slice(0, 12))),
    row('Attributes', 'command', runs.map((r) => r.job?.command ?? '')),
  ];
  for (const k of union(runs.map((r) => Object.keys(r.params)))) rows.push(row('Params', k, runs.map((r) => r.params[k] ?? '')));
  for (const k of union(runs.map((r) => Object.keys(r.metrics)))) {
    rows.push(row('Metrics', k, runs.map((r) => (r.metrics[k] ? formatMetric(r.metrics[k].value) : ''))));
  }
  return rows;
}

export interface Axis {
  id: string;
  label: string;
  kind: 'numeric' | 'categorical';
  /** Per run: position 0 (bottom) … 1 (top), or null when the run has no value. */
  positions: Array<number | null>;
  /** Tick labels with positions. */
  ticks: Array<{ at: number; label: string }>;
}

export interface AxisSource {
  id: string;
  label: string;
  values: Array<string | number | null>;
}

/** The candidate axes of a comparison: every param, then every metric's latest value. */
export function axisSources(runs: readonly Run[]): AxisSource[] {
  const out: AxisSource[] = [];
  for (const k of union(runs.map((r) => Object.keys(r.params)))) out.push({ id: `param:${k}`, label: k, values: runs.map((r) => r.params[k] ?? null) });
  for (const k of union(runs.map((r) => Object.keys(r.metrics)))) {
    out.push({ id: `metric:${k}`, label: k, values: runs.map((r) => (r.metrics[k] ? metricNumber(r.metrics[k].value) : null)) });
  }
  return out;
}

/** Axes worth showing first: params whose values differ, then metrics; at most `max`. */
export function defaultAxes(sources: readonly AxisSource[], max = 10): string[] {
  const differs = (s: AxisSource) => new Set(s.values.map(String)).size > 1;
  const params = sources.filter((s) => s.id.startsWith('param:') && differs(s));
  const metrics = sources.filter((s) => s.id.startsWith('metric:'));
  return [...params, ...metrics].slice(0, max).map((s) => s.id);
}

export function buildAxis(src: AxisSource): Axis {
  const present = src.values.filter((v): v is string | number => v !== null && v !== '');
  const nums = present.map((v) => (typeof v === 'number' ? v : Number(v)));
  const numeric = present.length > 0 && nums.every((n) => Number.isFinite(n));
  if (numeric) {
    let lo = Math.min(...nums);
    let hi = Math.max(...nums);
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const pos = (v: string | number | null) => (v === null || v === '' ? null : (Number(v) - lo) / (hi - lo));
    const fmt = (n: number) => formatMetric(n);
    return {
      id: src.id,
      label: src.label,
      kind: 'numeric',
      positions: src.values.map(pos),
      ticks: Math.min(...nums) === Math.max(...nums) ? [{ at: 0.5, label: fmt(nums[0]!) }] : [{ at: 0, label: fmt(lo) }, { at: 1, label: fmt(hi) }],
    };
  }
  const cats = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b));
  const at = (i: number) => (cats.length === 1 ? 0.5 : i / (cats.length - 1));
  return {
    id: src.id,
    label: src.label,
    kind: 'categorical',
    positions: src.values.map((v) => (v === null || v === '' ? null : at(cats.indexOf(String(v))))),
    ticks: cats.map((c, i) => ({ at: at(i), label: c })),
  };
}
