import { describe, expect, it } from 'vitest';
import { describeExpected, describeValue } from './describe-value.js';

describe('describeValue', () => {
  it('names values as a person would', () => {
    expect(describeValue('ten')).toBe('"ten"');
    expect(describeValue(3)).toBe('3');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(null)).toBe('an empty value');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a mapping');
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
  });
});

describe('describeExpected', () => {
  it('translates zod type names', () => {
    expect(describeExpected('int')).toBe('a whole number');
    expect(describeExpected('record')).toBe('a mapping');
    expect(describeExpected('string')).toBe('a string');
  });
});
