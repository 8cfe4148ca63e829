import type { SeriesBucket } from '@lathe/contract';
import type { Points } from './chunk-codec.js';
import { toWireValue } from './metric-values.js';

interface Acc {
  count: number;
  min: number;
  max: number;
  last: number;
  lastStep: number;
  lastTs: number;
}

/**
 * Downsample points into `buckets` equal step ranges over [lo, hi], keeping for each
 * bucket the min and max (for a band) and the last point by step then time (the line).
 * A single pass over typed arrays: ~1M points in a few milliseconds.
 */
export function downsample(chunks: Iterable<Points>, lo: number, hi: number, buckets: number): SeriesBucket[] {
  const width = Math.max(1, Math.ceil((hi - lo + 1) / buckets));
  const accs = new Map<number, Acc>();
  for (const { steps, values, timestamps } of chunks) {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step < lo || step > hi) continue;
      const b = Math.floor((step - lo) / width);
      const v = values[i]!;
      const ts = timestamps[i]!;
      let acc = accs.get(b);
      if (!acc) {
        acc = { count: 0, min: NaN, max: NaN, last: v, lastStep: step, lastTs: ts };
        accs.set(b, acc);
      }
      acc.count++;
      if (!Number.isNaN(v)) {
        if (!(v >= acc.min)) acc.min = v;
        if (!(v <= acc.max)) acc.max = v;
      }
      if (step > acc.lastStep || (step === acc.lastStep && ts >= acc.lastTs)) {
        acc.last = v;
        acc.lastStep = step;
        acc.lastTs = ts;
      }
    }
  }
  return [...accs.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, acc]) => ({
      step_start: lo + b * width,
      step_end: Math.min(hi, lo + (b + 1) * width - 1),
      count: acc.count,
      min: toWireValue(acc.min),
      max: toWireValue(acc.max),
      last: toWireValue(acc.last),
      last_step: acc.lastStep,
      last_timestamp: acc.lastTs,
    }));
}
