import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { profileCsv } from './csv-profile.js';
import { profileParquet } from './parquet-profile.js';

const tmp = mkdtempSync(join(tmpdir(), 'lathe-parquet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const stream = (buf: ArrayBuffer) => Readable.from([Buffer.from(buf)]);

describe('profileParquet', () => {
  it('maps Parquet types to profile types and counts what the CSV profiler counts, across row groups', async () => {
    const n = 2500;
    const ids = Array.from({ length: n }, (_, i) => BigInt(i));
    const buf = parquetWriteBuffer({
      rowGroupSize: 1000,
      columnData: [
        { name: 'id', data: ids, type: 'INT64' },
        { name: 'price', data: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : i / 4)), type: 'DOUBLE' },
        { name: 'city', data: Array.from({ length: n }, (_, i) => ['Oslo', 'Lima', 'Rome'][i % 3]!), type: 'STRING' },
        { name: 'ok', data: Array.from({ length: n }, (_, i) => i % 2 === 0), type: 'BOOLEAN' },
        { name: 'at', data: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, 0, 1 + (i % 30)))), type: 'TIMESTAMP' },
      ],
    });
    const p = await profileParquet([stream(buf)], { tmpDir: tmp });
    expect(p.row_count).toBe(n);
    const by = Object.fromEntries(p.columns.map((c) => [c.name, c]));
    expect(by.id).toMatchObject({ type: 'integer', nulls: 0, min: 0, max: n - 1, mean: (n - 1) / 2, distinct_estimate: n });
    expect(by.price).toMatchObject({ type: 'float', nulls: n / 10, min: 0.25, max: 2499 / 4 });
    expect(by.city).toMatchObject({ type: 'string', min: 'Lima', max: 'Rome', distinct_estimate: 3 });
    expect(by.city!.top_values[0]).toEqual({ value: 'Oslo', count: 834 });
    expect(by.ok).toMatchObject({ type: 'boolean', distinct_estimate: 2, min: 'false', max: 'true' });
    expect(by.at).toMatchObject({ type: 'datetime', min: '2024-01-01T00:00:00.000Z', max: '2024-01-30T00:00:00.000Z', distinct_estimate: 30 });
    // The same numbers as the CSV of the same table.
    const csv = ['id,price', ...ids.map((id, i) => `${id},${i % 10 === 0 ? '' : Number(id) / 4}`)].join('\n');
    const fromCsv = await profileCsv([Readable.from([Buffer.from(csv)])]);
    expect(by.price).toEqual(fromCsv.columns[1]);
    // Spooled files are deleted.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('profiles several files as one table; a column missing from one file counts as nulls there', async () => {
    const a = parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2], type: 'INT32' }] });
    const b = parquetWriteBuffer({ columnData: [{ name: 'x', data: [3], type: 'INT32' }, { name: 'y', data: ['z'], type: 'STRING' }] });
    const p = await profileParquet([stream(a), stream(b)], { tmpDir: tmp });
    expect(p.row_count).toBe(3);
    expect(p.columns.map((c) => [c.name, c.type, c.nulls, c.max])).toEqual([['x', 'integer', 0, 3], ['y', 'string', 2, 'z']]);
  });

  it('names a file that is not Parquet', async () => {
    await expect(profileParquet([Readable.from([Buffer.from('id,x\n1,2\n')])], { tmpDir: tmp, names: ['parts/a.parquet'] }))
      .rejects.toThrow(/parts\/a\.parquet is not a readable Parquet file/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
