/**
 * A metric chunk packs the points of one key from one batch as three float64 arrays
 * (steps, values, timestamps). Reading 1M points is then ~24 MB of contiguous doubles
 * rather than 1M rows, which is what makes downsampling fast.
 */
export interface Points {
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

export function encodeChunk(steps: number[], values: number[], timestamps: number[]): Uint8Array {
  const n = steps.length;
  const all = new Float64Array(n * 3);
  all.set(steps, 0);
  all.set(values, n);
  all.set(timestamps, 2 * n);
  return new Uint8Array(all.buffer);
}

export function decodeChunk(data: Uint8Array, count: number): Points {
  // Float64Array needs 8-byte alignment; copy when the driver hands us an unaligned view.
  const aligned = data.byteOffset % 8 === 0 ? data : new Uint8Array(data);
  const all = new Float64Array(aligned.buffer, aligned.byteOffset, count * 3);
  return { steps: all.subarray(0, count), values: all.subarray(count, 2 * count), timestamps: all.subarray(2 * count, 3 * count) };
}
