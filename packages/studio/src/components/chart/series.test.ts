import { describe, expect, it } from 'vitest';
import type { SeriesBucket } from '@lathe/contract';
import { alignSeries, bucketsToArrays, drawable, formatSeconds, isFullRange, smooth, zoomToSteps } from './series';

const bucket = (step_start: number, step_end: number, min: number | string, max: number | string, last: number | string, last_step: number, last_timestamp: number): SeriesBucket => ({ step_start, step_end, count: step_end - step_start + 1, min: min as never, max: max as never, last: last as never, last_step, last_timestamp });

describe('downsampled series to chart arrays', () => {
  const buckets = [bucket(0, 9, 0.5, 1.0, 0.6, 9, 10_000), bucket(10, 19, 0.2, 0.55, 0.3, 19, 30_000), bucket(20, 29, 'NaN', 0.3, 'Infinity', 29, 20_000)];

  it('plots each bucket at its last step with its min/max band; NaN and infinities are gaps', () => {
    const a = bucketsToArrays(buckets, 'step');
    expect(a.x).toEqual([9, 19, 29]);
    expect(a.last).toEqual([0.6, 0.3, null]);
    expect(a.min).toEqual([0.5, 0.2, null]);
    expect(a.max).toEqual([1.0, 0.55, 0.3]);
    expect(a.stepStart).toEqual([0, 10, 20]);
  });

  it('on a time axis uses seconds since t0, in time order', () => {
    const a = bucketsToArrays(buckets, 'time', { t0: 10_000 });
    expect(a.x).toEqual([0, 10, 20]);
    expect(a.stepEnd).toEqual([9, 29, 19]);
  });

  it('drops values a log scale cannot draw', () => {
    expect(drawable(0, true)).toBeNull();
    expect(drawable(-1, true)).toBeNull();
    expect(drawable(0.1, true)).toBe(0.1);
    expect(drawable(0, false)).toBe(0);
    expect(bucketsToArrays([bucket(0, 0, 0, 0, 0, 0, 0)], 'step', { logScale: true }).last).toEqual([null]);
  });
});

describe('smoothing', () => {
  it('is the identity at weight 0 and a debiased EMA above it', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([10, 0, 0], 0.5);
    // debiased: the first point is itself; then (0.5*10*0.5 + 0)/(1-0.25) ...
    expect(s[0]).toBeCloseTo(10);
    expect(s[1]).toBeCloseTo((0.5 * 10 * 0.5) / 0.75);
    expect(s[2]).toBeCloseTo((0.25 * 10 * 0.5) / 0.875);
  });

  it('keeps gaps without resetting, and flattens a constant series to itself', () => {
    const s = smooth([1, null, 1, 1], 0.9);
    expect(s[1]).toBeNull();
    for (const v of [s[0], s[2], s[3]]) expect(v).toBeCloseTo(1);
  });
});

describe('aligning runs and zooming', () => {
  it('puts series with different steps on one x axis with gaps', () => {
    const { x, ys } = alignSeries([{ x: [0, 2, 4], y: [1, 2, 3] }, { x: [1, 2], y: [9, 8] }]);
    expect(x).toEqual([0, 1, 2, 4]);
    expect(ys).toEqual([[1, null, 2, 3], [null, 9, 8, null]]);
  });

  it('maps a zoomed x range to the steps to fetch again', () => {
    const a = bucketsToArrays([bucket(0, 99, 0, 1, 1, 99, 1000), bucket(100, 199, 0, 1, 1, 199, 2000), bucket(200, 299, 0, 1, 1, 299, 3000)], 'time', { t0: 1000 });
    expect(zoomToSteps(a, 'step', 120.4, 250.2)).toEqual({ minStep: 120, maxStep: 251 });
    expect(zoomToSteps(a, 'time', 0.5, 2)).toEqual({ minStep: 100, maxStep: 299 });
    expect(zoomToSteps(a, 'time', 5, 6)).toBeNull();
    expect(isFullRange(0, 299, 0, 299)).toBe(true);
    expect(isFullRange(10, 299, 0, 299)).toBe(false);
  });

  it('labels seconds readably', () => {
    expect(formatSeconds(4.25)).toBe('4.3s');
    expect(formatSeconds(90)).toBe('1.5m');
    expect(formatSeconds(7200)).toBe('2h');
  });
});
