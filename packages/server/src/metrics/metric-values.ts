import type { MetricValue } from '@lathe/contract';

/**
 * Non-finite values are kept as MLflow keeps them: NaN stays NaN, infinities are clamped
 * to the largest finite double of their sign.
 */
export function toStoredValue(value: MetricValue): number {
  const v = typeof value === 'number' ? value : value === 'NaN' ? NaN : value === 'Infinity' ? Infinity : -Infinity;
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === -Infinity) return -Number.MAX_VALUE;
  return v;
}

/** JSON cannot carry NaN: it travels as the string "NaN". */
export function toWireValue(value: number): MetricValue {
  return Number.isNaN(value) ? 'NaN' : value;
}
