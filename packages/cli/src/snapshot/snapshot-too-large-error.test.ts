import { describe, expect, it } from 'vitest';
import { SnapshotTooLargeError } from './snapshot-too-large-error.js';
import { formatBytes } from '../output/format.js';

describe('formatBytes', () => {
  it('counts in 1024s, as Azure ML does', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300.0 MB');
    expect(formatBytes(5 * 1024 ** 3 + 1024 ** 3 / 2)).toBe('5.5 GB');
  });
});

describe('SnapshotTooLargeError', () => {
  it('names totals, limits and at most ten largest files, biggest first', () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `f${i}`, size: i * 1024 * 1024 }));
    const err = new SnapshotTooLargeError('/code', { fileCount: 12, totalBytes: 66 * 1024 * 1024, complete: true }, { maxBytes: 50 * 1024 * 1024, maxFiles: 2000 }, files, 'none');
    expect(err.largest.map((f) => f.path)).toEqual(['f11', 'f10', 'f9', 'f8', 'f7', 'f6', 'f5', 'f4', 'f3', 'f2']);
    expect(err.message.split('\n')).toEqual([
      'the code folder /code is too large to snapshot: 12 files, 66.0 MB (limits: 2,000 files, 50.0 MB)',
      'largest files:',
      '  11.0 MB  f11',
      '  10.0 MB  f10',
      '   9.0 MB  f9',
      '   8.0 MB  f8',
      '   7.0 MB  f7',
      '   6.0 MB  f6',
      '   5.0 MB  f5',
      '   4.0 MB  f4',
      '   3.0 MB  f3',
      '   2.0 MB  f2',
      'add what the job does not need (data, checkpoints, virtualenvs) to .amlignore in the code folder, in gitignore syntax',
    ]);
    expect(err.name).toBe('SnapshotTooLargeError');
  });
});
