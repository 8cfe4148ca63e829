import { describe, expect, it } from 'vitest';
import type { Run } from '@lathe/contract';
import { ATTRIBUTE_COLUMNS, buildColumns, cellOf, columnOffsets, keysOfRuns, mergeKeys, nextSort, orderByOf, parseOrderBy, quoteKey, visibleColumns } from './column-model';

const run = (over: Partial<Run> = {}): Run => ({
  id: 'brave_fox_1', experiment_id: '1', experiment_name: 'exp', parent_run_id: null, display_name: 'train', description: null,
  status: 'Completed', status_reason: null, user: 'ada', compute: 'local', created_at: 1_700_000_000_000, started_at: 1_700_000_001_000,
  ended_at: 1_700_000_066_000, exit_code: 0, lifecycle_stage: 'active', tags: { team: 'vision', 'mlflow.source.git.commit': 'abc' },
  params: { lr: '0.1' }, metrics: { loss: { value: 0.25, step: 9, timestamp: 1 } }, job: null, artifact_uri: 'x', ...over,
});

describe('columns', () => {
  it('puts attributes first, then metrics, params and tags, each ordered by the API field', () => {
    const cols = buildColumns({ metrics: ['loss', 'val loss'], params: ['lr'], tags: ['team'] });
    const keyed = cols.slice(ATTRIBUTE_COLUMNS.length);
    expect(keyed.map((c) => c.id)).toEqual(['metric:loss', 'metric:val loss', 'param:lr', 'tag:team']);
    expect(keyed.map((c) => c.orderField)).toEqual(['metrics.loss', 'metrics.`val loss`', 'params.lr', 'tags.team']);
    expect(cols.find((c) => c.id === 'attr:created')!.orderField).toBe('created_at');
    expect(cols.find((c) => c.id === 'attr:duration')!.orderField).toBeNull();
  });

  it('quotes keys the order_by grammar cannot take bare', () => {
    expect(quoteKey('train/loss')).toBe('train/loss');
    expect(quoteKey('mlflow.source.git.branch')).toBe('mlflow.source.git.branch');
    expect(quoteKey('my metric')).toBe('`my metric`');
  });

  it('round-trips a sort through order_by, as kept in the address', () => {
    const cols = buildColumns({ metrics: ['val loss'], params: [], tags: [] });
    for (const sort of [{ columnId: 'metric:val loss', desc: false }, { columnId: 'attr:created', desc: true }, { columnId: 'attr:status', desc: false }]) {
      expect(parseOrderBy(orderByOf(sort, cols))).toEqual(sort);
    }
    expect(parseOrderBy('params.lr DESC')).toEqual({ columnId: 'param:lr', desc: true });
    expect(parseOrderBy('nonsense')).toBeNull();
    expect(orderByOf({ columnId: 'attr:duration', desc: true }, cols)).toBeUndefined();
  });

  it('cycles a header: first direction, flipped, then back to the default order', () => {
    const [metric] = buildColumns({ metrics: ['loss'], params: [], tags: [] }).filter((c) => c.kind === 'metric');
    const created = ATTRIBUTE_COLUMNS.find((c) => c.key === 'created')!;
    const duration = ATTRIBUTE_COLUMNS.find((c) => c.key === 'duration')!;
    const a = nextSort(null, metric!);
    expect(a).toEqual({ columnId: 'metric:loss', desc: false });
    const b = nextSort(a, metric!);
    expect(b).toEqual({ columnId: 'metric:loss', desc: true });
    expect(nextSort(b, metric!)).toBeNull();
    expect(nextSort(null, created)).toEqual({ columnId: 'attr:created', desc: true });
    expect(nextSort(a, duration)).toBe(a);
  });

  it('shows default columns unless hidden, extra ones when shown, pinned ones first', () => {
    const all = buildColumns({ metrics: ['loss'], params: ['lr'], tags: ['team'] });
    const vis = visibleColumns(all, new Set(['param:lr']), new Set(['tag:team']));
    expect(vis.slice(0, 2).map((c) => c.id)).toEqual(['attr:status', 'attr:name']);
    expect(vis.map((c) => c.id)).toContain('tag:team');
    expect(vis.map((c) => c.id)).toContain('metric:loss');
    expect(vis.map((c) => c.id)).not.toContain('param:lr');
    expect(vis.map((c) => c.id)).not.toContain('attr:started');
  });

  it('merges keys from the server with keys seen in rows, keeping identity when nothing is new', () => {
    const a = { metrics: ['loss'], params: ['lr'], tags: [] };
    const same = mergeKeys(a, keysOfRuns([run()]).metrics.length ? { metrics: ['loss'], params: ['lr'], tags: [] } : a);
    expect(same.metrics).toBe(a.metrics);
    expect(mergeKeys(a, keysOfRuns([run({ metrics: { acc: { value: 1, step: 0, timestamp: 0 } } })])).metrics).toEqual(['acc', 'loss']);
  });

  it('formats cells: metrics, params, durations, user tags only', () => {
    const cols = buildColumns({ metrics: ['loss', 'acc'], params: ['lr'], tags: [] });
    const by = (id: string) => cols.find((c) => c.id === id)!;
    const r = run();
    expect(cellOf(by('metric:loss'), r).text).toBe('0.25');
    expect(cellOf(by('metric:acc'), r).text).toBe('');
    expect(cellOf(by('param:lr'), r).text).toBe('0.1');
    expect(cellOf(by('attr:duration'), r).text).toBe('1m 05s');
    expect(cellOf(by('attr:tags'), r).text).toBe('team=vision');
    expect(cellOf(by('attr:duration'), run({ started_at: null, ended_at: null })).text).toBe('—');
    expect(cellOf(by('metric:loss'), run({ metrics: { loss: { value: 'NaN', step: 1, timestamp: 0 } } })).text).toBe('NaN');
  });

  it('lays columns out left to right with user widths', () => {
    const cols = ATTRIBUTE_COLUMNS.slice(0, 3);
    const { starts, total } = columnOffsets(cols, { 'attr:name': 100 });
    expect(starts).toEqual([0, cols[0]!.width, cols[0]!.width + 100]);
    expect(total).toBe(cols[0]!.width + 100 + cols[2]!.width);
  });
});
