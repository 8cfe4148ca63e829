import { describe, expect, it } from 'vitest';
import { formatProblem, JobFileError } from './job-file-error.js';

describe('formatProblem', () => {
  it('reads file:line:col: key: reason', () => {
    expect(formatProblem({ file: 'job.yml', line: 12, column: 3, key: 'inputs.epochs', reason: 'expected a number, got "ten"' })).toBe(
      'job.yml:12:3: inputs.epochs: expected a number, got "ten"',
    );
    expect(formatProblem({ file: 'job.yml', key: '', reason: 'job file not found' })).toBe('job.yml: job file not found');
    expect(formatProblem({ file: 'job.yml', key: 'a', reason: 'bad', setOverride: 'a=1' })).toBe('job.yml: a (from --set a=1): bad');
  });
});

describe('JobFileError', () => {
  it('sorts problems by position, placeless ones last, and exposes the first', () => {
    const err = new JobFileError([
      { file: 'j.yml', key: 'z', reason: 'from a flag', setOverride: 'z=1' },
      { file: 'j.yml', line: 9, column: 1, key: 'b', reason: 'second' },
      { file: 'j.yml', line: 2, column: 7, key: 'a.c', reason: 'first, later column' },
      { file: 'j.yml', line: 2, column: 3, key: 'a', reason: 'first' },
    ]);
    expect(err.message.split('\n')).toEqual([
      'j.yml:2:3: a: first',
      'j.yml:2:7: a.c: first, later column',
      'j.yml:9:1: b: second',
      'j.yml: z (from --set z=1): from a flag',
    ]);
    expect(err).toMatchObject({ name: 'JobFileError', file: 'j.yml', line: 2, column: 3, key: 'a', reason: 'first' });
    expect(err).toBeInstanceOf(Error);
  });

  it('needs at least one problem', () => {
    expect(() => new JobFileError([])).toThrow(TypeError);
  });
});
