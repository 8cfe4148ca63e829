import type { ColumnProfile } from '@lathe/contract';

/** Distinct values counted exactly up to this many per column; beyond it, HyperLogLog estimates. */
const TOP_CAP = 10_000;
const HLL_BITS = 12;
const HLL_M = 1 << HLL_BITS;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export type ColumnType = ColumnProfile['type'];

/** FNV-1a, 32 bits, over UTF-16 code units: cheap and good enough for HyperLogLog. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Finalise (murmur3 fmix32) so the high bits are well mixed.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * One column's running statistics, in constant memory (bounded top-value map, HLL
 * registers). Text sources (CSV) feed `addText` and the type is inferred from the values;
 * typed sources (Parquet) declare the type and feed `addNumber` / `addString`.
 */
export class ColumnStats {
  private nulls = 0;
  private count = 0;
  private maybeNum = true;
  private maybeInt = true;
  private maybeBool = true;
  private maybeDate = true;
  private sum = 0;
  private numMin = Infinity;
  private numMax = -Infinity;
  private strMin: string | null = null;
  private strMax: string | null = null;
  private readonly top = new Map<string, number>();
  private overflowed = false;
  private readonly hll = new Uint8Array(HLL_M);

  /** `declared`: the type a typed source states; without it the type is inferred from text. */
  constructor(readonly name: string, private readonly declared?: Exclude<ColumnType, 'empty'>) {}

  addNull(): void {
    this.nulls++;
  }

  /** A value read as text: the empty string is a null; number, boolean and date shapes are tracked. */
  addText(v: string): void {
    if (v === '') {
      this.nulls++;
      return;
    }
    this.count++;
    if (this.maybeNum) {
      const n = +v;
      if (Number.isNaN(n) || v.charCodeAt(0) === 32) {
        this.maybeNum = false;
      } else {
        this.numeric(n);
        if (this.maybeInt && !Number.isInteger(n)) this.maybeInt = false;
      }
    }
    if (this.maybeBool && !/^(?:true|false)$/i.test(v)) this.maybeBool = false;
    if (this.maybeDate && !DATE.test(v)) this.maybeDate = false;
    this.text(v);
  }

  /** A typed number; `key` is its exact text for the distinct count and top values (a 64-bit integer's digits). */
  addNumber(n: number, key: string): void {
    this.count++;
    this.numeric(n);
    this.tally(key);
  }

  /** A typed string (or a value shown as one: a boolean, an ISO date, JSON); min/max compare it as text. */
  addString(v: string): void {
    this.count++;
    this.text(v);
  }

  private numeric(n: number): void {
    this.sum += n;
    if (n < this.numMin) this.numMin = n;
    if (n > this.numMax) this.numMax = n;
  }

  private text(v: string): void {
    if (this.strMin === null || v < this.strMin) this.strMin = v;
    if (this.strMax === null || v > this.strMax) this.strMax = v;
    this.tally(v);
  }

  private tally(v: string): void {
    const c = this.top.get(v);
    if (c !== undefined) this.top.set(v, c + 1);
    else if (this.top.size < TOP_CAP) this.top.set(v, 1);
    else this.overflowed = true;
    const h = fnv1a(v);
    const idx = h >>> (32 - HLL_BITS);
    const rank = Math.clz32((h << HLL_BITS) | (1 << (HLL_BITS - 1))) + 1;
    if (rank > this.hll[idx]!) this.hll[idx] = rank;
  }

  private distinct(): number {
    if (!this.overflowed) return this.top.size;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < HLL_M; i++) {
      sum += 2 ** -this.hll[i]!;
      if (this.hll[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    let e = (alpha * HLL_M * HLL_M) / sum;
    if (e <= 2.5 * HLL_M && zeros > 0) e = HLL_M * Math.log(HLL_M / zeros);
    return Math.max(Math.round(e), this.top.size);
  }

  profile(): ColumnProfile {
    const type: ColumnType = this.count === 0 ? 'empty'
      : this.declared ?? (this.maybeBool ? 'boolean'
        : this.maybeNum ? (this.maybeInt ? 'integer' : 'float')
          : this.maybeDate ? 'datetime' : 'string');
    const numeric = type === 'integer' || type === 'float';
    const top = [...this.top.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([value, count]) => ({ value, count }));
    return {
      name: this.name,
      type,
      nulls: this.nulls,
      min: numeric ? this.numMin : this.strMin,
      max: numeric ? this.numMax : this.strMax,
      mean: numeric && this.count > 0 ? this.sum / this.count : null,
      distinct_estimate: this.distinct(),
      top_values: top,
    };
  }
}
