import { describe, expect, it } from 'vitest';
import { safeRelativePath } from './artifact-path.js';

describe('safeRelativePath', () => {
  it('accepts plain relative paths', () => {
    expect(safeRelativePath('outputs/model/model.pkl')).toBe('outputs/model/model.pkl');
  });
  it.each(['', '../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/./b', 'nul\0byte'])('refuses %j', (p) => {
    expect(() => safeRelativePath(p)).toThrow(/invalid path/);
  });
});
