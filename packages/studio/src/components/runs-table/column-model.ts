/**
 * The runs table's column model: which columns exist (attributes, then every param, metric
 * and tag key), how each orders on the server (`order_by`), and what each cell shows.
 * Pure functions, tested without a browser.
 */
import type { Run } from '@lathe/contract';
import { formatDuration, formatMetric, formatTime, runDuration } from '../../lib/format';

export type ColumnKind = 'attr' | 'param' | 'metric' | 'tag';
export type ColumnGroup = 'Attributes' | 'Params' | 'Metrics' | 'Tags';

export interface Column {
  /** `attr:status`, `param:lr`, `metric:loss`, `tag:team`. */
  id: string;
  kind: ColumnKind;
  key: string;
  label: string;
  group: ColumnGroup;
  width: number;
  /** The `order_by` field the API sorts this column by; null when it cannot. */
  orderField: string | null;
  align: 'left' | 'right';
  /** Stays at the left edge while the table scrolls sideways. */
  pinned?: boolean;
  /** Shown unless the user hides it. */
  defaultVisible: boolean;
}

export interface ExperimentKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

const attr = (key: string, label: string, width: number, orderField: string | null, extra: Partial<Column> = {}): Column => ({
  id: `attr:${key}`, kind: 'attr', key, label, group: 'Attributes', width, orderField, align: 'left', defaultVisible: true, ...extra,
});

/** The attribute columns, in order. Ordering fields are those `listRuns` accepts. */
export const ATTRIBUTE_COLUMNS: readonly Column[] = [
  attr('status', 'Status', 124, 'status', { pinned: true }),
  attr('name', 'Name', 270, 'display_name', { pinned: true }),
  attr('created', 'Created', 150, 'created_at'),
  attr('started', 'Started', 150, 'started_at', { defaultVisible: false }),
  attr('ended', 'Ended', 150, 'ended_at', { defaultVisible: false }),
  attr('duration', 'Duration', 92, null, { align: 'right' }),
  attr('compute', 'Compute', 104, null),
  attr('user', 'User', 96, null),
  attr('tags', 'Tags', 170, null),
  attr('id', 'Run ID', 200, null, { defaultVisible: false }),
  attr('parent', 'Parent', 160, null, { defaultVisible: false }),
];

/** A key as `order_by` needs it: plain when it is a simple name, else in backticks. */
export function quoteKey(key: string): string {
  return /^[\w.\-/]+$/.test(key) ? key : `\`${key}\``;
}

export function keyColumns(keys: ExperimentKeys): Column[] {
  const out: Column[] = [];
  for (const k of keys.metrics) out.push({ id: `metric:${k}`, kind: 'metric', key: k, label: k, group: 'Metrics', width: 112, orderField: `metrics.${quoteKey(k)}`, align: 'right', defaultVisible: true });
  for (const k of keys.params) out.push({ id: `param:${k}`, kind: 'param', key: k, label: k, group: 'Params', width: 112, orderField: `params.${quoteKey(k)}`, align: 'left', defaultVisible: true });
  for (const k of keys.tags) out.push({ id: `tag:${k}`, kind: 'tag', key: k, label: k, group: 'Tags', width: 128, orderField: `tags.${quoteKey(k)}`, align: 'left', defaultVisible: false });
  return out;
}

/** Every column for these keys: attributes first, then metrics, params and tags. */
export function buildColumns(keys: ExperimentKeys): Column[] {
  return [...ATTRIBUTE_COLUMNS, ...keyColumns(keys)];
}

/** Union of keys, sorted, so columns found in loaded rows join those the server listed. */
export function mergeKeys(a: ExperimentKeys, b: ExperimentKeys): ExperimentKeys {
  const u = (x: string[], y: string[]) => (y.every((k) => x.includes(k)) ? x : [...new Set([...x, ...y])].sort());
  return { metrics: u(a.metrics, b.metrics), params: u(a.params, b.params), tags: u(a.tags, b.tags) };
}

export function keysOfRuns(runs: Iterable<Run>): ExperimentKeys {
  const m = new Set<string>();
  const p = new Set<string>();
  const t = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.metrics)) m.add(k);
    for (const k of Object.keys(r.params)) p.add(k);
    for (const k of Object.keys(r.tags)) t.add(k);
  }
  return { metrics: [...m].sort(), params: [...p].sort(), tags: [...t].sort() };
}

export interface Sort {
  columnId: string;
  desc: boolean;
}

/** The `order_by` value for a sort. */
export function orderByOf(sort: Sort | null, columns: readonly Column[]): string | undefined {
  if (!sort) return undefined;
  const col = columns.find((c) => c.id === sort.columnId);
  if (!col?.orderField) return undefined;
  return `${col.orderField} ${sort.desc ? 'DESC' : 'ASC'}`;
}

/** Read an `order_by` value (as kept in the address) back into a sort on a column id. */
export function parseOrderBy(orderBy: string | null | undefined): Sort | null {
  if (!orderBy) return null;
  const m = /^\s*(?:(metrics|params|tags)\.)?(`?)(.+?)\2\s+(ASC|DESC)\s*$/i.exec(orderBy);
  if (!m) return null;
  const desc = m[4]!.toUpperCase() === 'DESC';
  const key = m[3]!;
  if (m[1]) {
    const kind = m[1].toLowerCase() === 'metrics' ? 'metric' : m[1].toLowerCase() === 'params' ? 'param' : 'tag';
    return { columnId: `${kind}:${key}`, desc };
  }
  const col = ATTRIBUTE_COLUMNS.find((c) => c.orderField === key);
  return col ? { columnId: col.id, desc } : null;
}

/**
 * The next sort when a header is clicked: a new column starts with the direction that
 * reads best (newest first for times, smallest first for metrics), a second click flips
 * it, a third returns to the default order.
 */
export function nextSort(current: Sort | null, col: Column): Sort | null {
  if (!col.orderField) return current;
  const firstDesc = col.kind === 'attr' && ['created', 'started', 'ended'].includes(col.key);
  if (!current || current.columnId !== col.id) return { columnId: col.id, desc: firstDesc };
  if (current.desc === firstDesc) return { columnId: col.id, desc: !firstDesc };
  return null;
}

/** Columns to draw: visible ones, pinned first (in model order). */
export function visibleColumns(all: readonly Column[], hidden: ReadonlySet<string>, shown: ReadonlySet<string>): Column[] {
  const isVisible = (c: Column) => (c.defaultVisible ? !hidden.has(c.id) : shown.has(c.id));
  const vis = all.filter(isVisible);
  return [...vis.filter((c) => c.pinned), ...vis.filter((c) => !c.pinned)];
}

export interface Cell {
  text: string;
  title?: string;
}

/** Tags people set (not the `mlflow.*` / `lathe.*` ones the system records). */
const userTags = (tags: Record<string, string>) => Object.entries(tags).filter(([k]) => !k.startsWith('mlflow.') && !k.startsWith('lathe.'));

/** What a cell shows for a run. */
export function cellOf(col: Column, run: Run, now = Date.now()): Cell {
  switch (col.kind) {
    case 'param': {
      const v = run.params[col.key];
      return v === undefined ? { text: '' } : { text: v, title: v };
    }
    case 'metric': {
      const m = run.metrics[col.key];
      return m ? { text: formatMetric(m.value), title: `${m.value} (step ${m.step})` } : { text: '' };
    }
    case 'tag': {
      const v = run.tags[col.key];
      return v === undefined ? { text: '' } : { text: v, title: v };
    }
    case 'attr':
      break;
  }
  switch (col.key) {
    case 'status':
      return { text: run.status, title: run.status_reason ?? run.status };
    case 'name':
      return { text: run.display_name, title: `${run.display_name} (${run.id})` };
    case 'id':
      return { text: run.id };
    case 'parent':
      return { text: run.parent_run_id ?? '' };
    case 'created':
      return { text: formatTime(run.created_at, now), title: new Date(run.created_at).toLocaleString() };
    case 'started':
      return { text: formatTime(run.started_at, now) };
    case 'ended':
      return { text: formatTime(run.ended_at, now) };
    case 'duration':
      return { text: formatDuration(runDuration(run, now)) };
    case 'compute':
      return { text: run.compute ?? '' };
    case 'user':
      return { text: run.user };
    case 'tags': {
      const t = userTags(run.tags);
      return { text: t.map(([k, v]) => (v ? `${k}=${v}` : k)).join(', '), title: t.map(([k, v]) => `${k}: ${v}`).join('\n') };
    }
    default:
      return { text: '' };
  }
}

/** Left offset of each column (pinned columns included), and the total width. */
export function columnOffsets(cols: readonly Column[], widths: Readonly<Record<string, number>> = {}): { starts: number[]; total: number } {
  const starts: number[] = [];
  let x = 0;
  for (const c of cols) {
    starts.push(x);
    x += widths[c.id] ?? c.width;
  }
  return { starts, total: x };
}
