import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk } from './chunk-codec.js';
import { downsample } from './downsample.js';

const chunk = (steps: number[], values: number[]) => decodeChunk(encodeChunk(steps, values, steps.map((s) => 1000 + s)), steps.length);

describe('downsample', () => {
  it('keeps min, max and the last point of each bucket, across chunks in any order', () => {
    const a = chunk([5, 6, 7, 8, 9], [5, 60, 7, 8, 9]);
    const b = chunk([0, 1, 2, 3, 4], [0, -10, 2, 3, 4]);
    const out = downsample([a, b], 0, 9, 2);
    expect(out).toEqual([
      { step_start: 0, step_end: 4, count: 5, min: -10, max: 4, last: 4, last_step: 4, last_timestamp: 1004 },
      { step_start: 5, step_end: 9, count: 5, min: 5, max: 60, last: 9, last_step: 9, last_timestamp: 1009 },
    ]);
  });

  it('reports NaN as "NaN" and keeps it out of min and max', () => {
    const out = downsample([chunk([0, 1], [NaN, 2])], 0, 1, 1);
    expect(out[0]).toMatchObject({ min: 2, max: 2, last: 2 });
    expect(downsample([chunk([0], [NaN])], 0, 0, 1)[0]).toMatchObject({ min: 'NaN', max: 'NaN', last: 'NaN' });
  });

  it('only counts points inside the requested step range', () => {
    const out = downsample([chunk([0, 10, 20, 30], [1, 2, 3, 4])], 10, 20, 10);
    expect(out.reduce((n, b) => n + b.count, 0)).toBe(2);
  });
});
