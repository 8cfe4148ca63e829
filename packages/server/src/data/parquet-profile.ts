import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type SchemaTree } from 'hyparquet';
import { invalid, type ColumnProfile } from '@lathe/contract';
import { ColumnStats, type ColumnType } from './column-stats.js';

type Declared = Exclude<ColumnType, 'empty'>;

/** The profile type of a top-level Parquet column, from its physical, converted and logical types. */
export function parquetColumnType(node: SchemaTree): Declared {
  // Lists, maps and structs are shown as JSON text.
  if (node.children.length > 0) return 'string';
  const { type, converted_type: ct, logical_type: lt } = node.element;
  if (lt?.type === 'DATE' || lt?.type === 'TIMESTAMP' || ct === 'DATE' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS' || (type === 'INT96' && !ct)) return 'datetime';
  if (lt?.type === 'DECIMAL' || ct === 'DECIMAL' || lt?.type === 'FLOAT16' || type === 'FLOAT' || type === 'DOUBLE') return 'float';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'INT32' || type === 'INT64') return 'integer';
  return 'string';
}

const isDateOnly = (node: SchemaTree) => node.element.logical_type?.type === 'DATE' || node.element.converted_type === 'DATE';

/** A column of the table: its statistics and how to turn a decoded value into one. */
interface TableColumn {
  stats: ColumnStats;
  numeric: boolean;
  dateOnly: boolean;
}

function addValue(col: TableColumn, v: unknown): void {
  const s = col.stats;
  if (v === null || v === undefined) return s.addNull();
  if (col.numeric && (typeof v === 'number' || typeof v === 'bigint')) {
    // NaN is how pandas writes a missing float: count it as a null, as pandas does.
    if (typeof v === 'number') return Number.isNaN(v) ? s.addNull() : s.addNumber(v, String(v));
    return s.addNumber(Number(v), v.toString());
  }
  if (typeof v === 'string') return s.addString(v);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return s.addNull();
    const iso = v.toISOString();
    return s.addString(col.dateOnly ? iso.slice(0, 10) : iso);
  }
  if (v instanceof Uint8Array) return s.addString(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  if (typeof v === 'object') return s.addString(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
  s.addString(String(v as number | bigint | boolean));
}

export interface ParquetProfileOptions {
  /** Where each file is spooled: the reader needs random access (the footer first), the stores only stream. */
  tmpDir: string;
  /** Names the file in errors (e.g. its datastore path), in the order the streams come. */
  names?: readonly string[];
}

/**
 * Profile Parquet streams, one after another: the files of one table. Each is spooled to
 * a temp file (deleted after) and read one row group at a time, so memory is bounded by
 * the largest row group, not the file. Columns are matched by name; a column missing
 * from a file counts as nulls for that file's rows.
 */
export async function profileParquet(streams: AsyncIterable<Readable> | Readable[], o: ParquetProfileOptions): Promise<{ row_count: number; columns: ColumnProfile[] }> {
  const columns = new Map<string, TableColumn>();
  let rows = 0;
  let index = 0;
  await mkdir(o.tmpDir, { recursive: true });
  for await (const stream of streams) {
    const name = o.names?.[index] ?? `file ${index + 1}`;
    index++;
    const tmp = join(o.tmpDir, `parquet-${randomBytes(8).toString('hex')}`);
    try {
      await pipeline(stream, createWriteStream(tmp));
      const file = await asyncBufferFromFile(tmp);
      const metadata = await parquetMetadataAsync(file).catch((err: unknown) => {
        throw invalid(`${name} is not a readable Parquet file: ${(err as Error).message}`);
      });
      const present = new Set<string>();
      for (const node of parquetSchema(metadata).children) {
        present.add(node.element.name);
        if (columns.has(node.element.name)) continue;
        const type = parquetColumnType(node);
        const col: TableColumn = { stats: new ColumnStats(node.element.name, type), numeric: type === 'integer' || type === 'float', dateOnly: isDateOnly(node) };
        // A column first seen in a later file was missing (null) in the rows before it.
        for (let i = 0; i < rows; i++) col.stats.addNull();
        columns.set(node.element.name, col);
      }
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        await parquetRead({
          file, metadata, rowStart: groupStart, rowEnd: groupEnd,
          onChunk: ({ columnName, columnData, rowStart }) => {
            const col = columns.get(columnName);
            if (!col) return;
            // A chunk may reach outside the requested rows: keep this group's only.
            const to = Math.min(columnData.length, groupEnd - rowStart);
            for (let i = Math.max(groupStart - rowStart, 0); i < to; i++) addValue(col, columnData[i]);
          },
        }).catch((err: unknown) => {
          throw invalid(`${name}: cannot read Parquet row group at row ${groupStart}: ${(err as Error).message}`);
        });
        for (const [colName, col] of columns) {
          if (!present.has(colName)) for (let i = groupStart; i < groupEnd; i++) col.stats.addNull();
        }
        groupStart = groupEnd;
      }
      rows += groupStart;
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return { row_count: rows, columns: [...columns.values()].map((c) => c.stats.profile()) };
}
