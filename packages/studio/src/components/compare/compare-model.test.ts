import { describe, expect, it } from 'vitest';
import type { Run } from '@lathe/contract';
import { axisSources, buildAxis, defaultAxes, diffRows } from './compare-model';

const run = (id: string, params: Record<string, string>, loss: number): Run => ({
  id, experiment_id: '1', experiment_name: 'exp', parent_run_id: null, display_name: id, description: null, status: 'Completed', status_reason: null,
  user: 'ada', compute: 'local', created_at: 0, started_at: 0, ended_at: 1000, exit_code: 0, lifecycle_stage: 'active', tags: {},
  params, metrics: { loss: { value: loss, step: 1, timestamp: 0 } }, job: null, artifact_uri: '',
});

describe('compare model', () => {
  const runs = [run('a', { lr: '0.1', opt: 'adam', seed: '1' }, 0.5), run('b', { lr: '0.01', opt: 'sgd', seed: '1' }, 0.25)];

  it('marks the rows whose values differ', () => {
    const rows = diffRows(runs);
    const by = (k: string) => rows.find((r) => r.key === k)!;
    expect(by('lr')).toMatchObject({ section: 'Params', values: ['0.1', '0.01'], differs: true });
    expect(by('seed').differs).toBe(false);
    expect(by('loss')).toMatchObject({ section: 'Metrics', values: ['0.5', '0.25'], differs: true });
    expect(by('user').differs).toBe(false);
  });

  it('offers differing params then metrics as axes', () => {
    expect(defaultAxes(axisSources(runs))).toEqual(['param:lr', 'param:opt', 'metric:loss']);
  });

  it('scales numeric axes to their range and spaces categories evenly', () => {
    const src = axisSources(runs);
    const lr = buildAxis(src.find((s) => s.id === 'param:lr')!);
    expect(lr.kind).toBe('numeric');
    expect(lr.positions).toEqual([1, 0]);
    const opt = buildAxis(src.find((s) => s.id === 'param:opt')!);
    expect(opt.kind).toBe('categorical');
    expect(opt.ticks.map((t) => t.label)).toEqual(['adam', 'sgd']);
    expect(opt.positions).toEqual([0, 1]);
    const seed = buildAxis(src.find((s) => s.id === 'param:seed')!);
    expect(seed.positions).toEqual([0.5, 0.5]);
    expect(buildAxis({ id: 'param:x', label: 'x', values: ['1', null] }).positions).toEqual([0.5, null]);
  });
});
