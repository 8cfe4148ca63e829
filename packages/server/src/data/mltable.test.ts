import { describe, expect, it } from 'vitest';
import { mltableSource } from './mltable.js';

const files = ['MLTable', 'parts/a.csv', 'parts/b.csv', 'parts/_SUCCESS', 'pq/p0.parquet', 'pq/p1.parquet', 'pq/.p1.parquet.crc', 'notes.txt'];

describe('mltableSource', () => {
  it('takes the format from read_parquet / read_delimited (with its delimiter), else from the extensions', () => {
    expect(mltableSource('paths:\n  - folder: ./pq\ntransformations:\n  - read_parquet\n', files, 'x')).toEqual({ format: 'parquet', files: ['pq/p0.parquet', 'pq/p1.parquet'], delimiter: ',' });
    expect(mltableSource('paths:\n  - pattern: ./parts/*\ntransformations:\n  - read_delimited:\n      delimiter: ";"\n', files, 'x')).toEqual({ format: 'csv', files: ['parts/a.csv', 'parts/b.csv'], delimiter: ';' });
    expect(mltableSource('paths:\n  - folder: .\n', files, 'x')).toEqual({ format: 'csv', files: ['parts/a.csv', 'parts/b.csv'], delimiter: ',' });
    expect(mltableSource('paths:\n  - file: ./pq/p1.parquet\n', files, 'x')?.format).toBe('parquet');
    expect(mltableSource('paths:\n  - file: ./notes.txt\n', files, 'x')).toBeNull();
  });

  it('names a file the folder lacks, and a bad delimiter', () => {
    expect(() => mltableSource('paths:\n  - file: ./gone.csv\n', files, 'tables/')).toThrow('MLTable names gone.csv, which is not in tables/');
    expect(() => mltableSource('paths:\n  - folder: ./parts\ntransformations:\n  - read_delimited: {delimiter: "ab"}\n', files, 'x')).toThrow('must be one character');
  });
});
