import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { ColumnProfile } from '@lathe/contract';
import { ColumnStats } from './column-stats.js';

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
    for (let i = 0; i < cols.length; i++) cols[i]!.addText(fields[i] ?? '');
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

/**
 * Profile CSV streams, one after another: the files of one table, each starting with the
 * same header. `delimiter` is one character (an MLTable's `read_delimited.delimiter`).
 */
export async function profileCsv(streams: AsyncIterable<Readable> | Readable[], delimiter = ','): Promise<{ row_count: number; columns: ColumnProfile[] }> {
  const profiler = new CsvProfiler(delimiter);
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
