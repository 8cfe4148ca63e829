import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { ColumnProfile } from '@lathe/contract';

/** Distinct values counted exactly up to this many per column; beyond it, HyperLogLog estimates. */
const TOP_CAP = 10_000;
const HLL_BITS = 12;
const HLL_M = 1 << HLL_BITS;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

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

/** One column's running statistics, in constant memory (bounded top-value map, HLL registers). */
class ColumnStats {
  nulls = 0;
  count = 0;
  maybeNum = true;
  maybeInt = true;
  maybeBool = true;
  maybeDate = true;
  sum = 0;
  numMin = Infinity;
  numMax = -Infinity;
  strMin: string | null = null;
  strMax: string | null = null;
  readonly top = new Map<string, number>();
  overflowed = false;
  readonly hll = new Uint8Array(HLL_M);

  constructor(readonly name: string) {}

  add(v: string): void {
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
        this.sum += n;
        if (n < this.numMin) this.numMin = n;
        if (n > this.numMax) this.numMax = n;
        if (this.maybeInt && !Number.isInteger(n)) this.maybeInt = false;
      }
    }
    if (this.maybeBool && !/^(?:true|false)$/i.test(v)) this.maybeBool = false;
    if (this.maybeDate && !DATE.test(v)) this.maybeDate = false;
    if (this.strMin === null || v < this.strMin) this.strMin = v;
    if (this.strMax === null || v > this.strMax) this.strMax = v;
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
    const type: ColumnProfile['type'] = this.count === 0 ? 'empty'
      : this.maybeBool ? 'boolean'
        : this.maybeNum ? (this.maybeInt ? 'integer' : 'float')
          : this.maybeDate ? 'datetime' : 'string';
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

/**
 * A streaming CSV profiler (RFC 4180: quoted fields, doubled quotes, CRLF or LF). The first
 * record is the header. Feed it text in chunks of any size; memory stays bounded by the
 * per-column maps, not the file.
 */
export class CsvProfiler {
  private columns: ColumnStats[] | null = null;
  private carry = '';
  rows = 0;

  constructor(private readonly delimiter = ',') {}

  private record(fields: string[]): void {
    if (!this.columns) {
      this.columns = fields.map((f, i) => new ColumnStats(f.trim() || `Column${i + 1}`));
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    this.rows++;
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) cols[i]!.add(fields[i] ?? '');
  }

  /** Parse every complete record in carry + text; keep the unfinished tail. */
  push(text: string, final = false): void {
    const s = this.carry + text;
    const d = this.delimiter.charCodeAt(0);
    const n = s.length;
    let pos = 0;
    let recStart = 0;
    const fields: string[] = [];
    while (pos < n) {
      fields.length = 0;
      recStart = pos;
      let complete = false;
      for (;;) {
        if (s.charCodeAt(pos) === 34) {
          // Quoted field: up to the closing quote ("" is a literal quote).
          let out = '';
          let i = pos + 1;
          let closed = false;
          while (i < n) {
            const q = s.indexOf('"', i);
            if (q < 0) break;
            if (s.charCodeAt(q + 1) === 34) {
              out += s.slice(i, q + 1);
              i = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) break; // cannot tell yet whether "" follows
            out += s.slice(i, q);
            i = q + 1;
            closed = true;
            break;
          }
          if (!closed) break;
          fields.push(out);
          pos = i;
        } else {
          let i = pos;
          while (i < n) {
            const c = s.charCodeAt(i);
            if (c === d || c === 10 || c === 13) break;
            i++;
          }
          if (i >= n && !final) break;
          fields.push(s.slice(pos, i));
          pos = i;
        }
        if (pos >= n) {
          if (final) complete = true;
          break;
        }
        const c = s.charCodeAt(pos);
        if (c === d) {
          pos++;
          continue;
        }
        if (c === 13) {
          if (pos + 1 >= n && !final) break;
          pos += s.charCodeAt(pos + 1) === 10 ? 2 : 1;
          complete = true;
          break;
        }
        if (c === 10) {
          pos++;
          complete = true;
          break;
        }
        pos++; // stray character after a closing quote: skip it
      }
      if (!complete) {
        pos = recStart;
        break;
      }
      this.record(fields);
    }
    this.carry = s.slice(pos);
  }

  end(): { row_count: number; columns: ColumnProfile[] } {
    if (this.carry) this.push('', true);
    return { row_count: this.rows, columns: (this.columns ?? []).map((c) => c.profile()) };
  }
}

/** Profile CSV streams, one after another: the files of one table, each starting with the same header. */
export async function profileCsv(streams: AsyncIterable<Readable> | Readable[]): Promise<{ row_count: number; columns: ColumnProfile[] }> {
  const profiler = new CsvProfiler();
  let first = true;
  for await (const stream of streams) {
    let skipHeader = !first;
    let head = '';
    first = false;
    const decoder = new StringDecoder('utf8');
    for await (const chunk of stream) {
      let text = decoder.write(chunk as Buffer);
      if (skipHeader) {
        head += text;
        const nl = head.indexOf('\n');
        if (nl < 0) continue;
        text = head.slice(nl + 1);
        skipHeader = false;
      }
      profiler.push(text);
    }
    if (!skipHeader) profiler.push(decoder.end());
    profiler.push('', true);
  }
  return profiler.end();
}
