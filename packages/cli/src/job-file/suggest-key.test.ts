import { describe, expect, it } from 'vitest';
import { suggestKey } from './suggest-key.js';

const KEYS = ['command', 'code', 'environment', 'environment_variables', 'experiment_name', 'display_name', 'limits', 'inputs', 'outputs'];

describe('suggestKey', () => {
  it('finds typos, case slips and unique prefixes', () => {
    expect(suggestKey('comand', KEYS)).toBe('command');
    expect(suggestKey('Command', KEYS)).toBe('command');
    expect(suggestKey('input', KEYS)).toBe('inputs');
    expect(suggestKey('enviroment', KEYS)).toBe('environment');
    expect(suggestKey('environment_variable', KEYS)).toBe('environment_variables');
    expect(suggestKey('experiment', KEYS)).toBe('experiment_name');
    expect(suggestKey('display', KEYS)).toBe('display_name');
  });

  it('suggests nothing when no key is close or a prefix is ambiguous', () => {
    expect(suggestKey('zzz', KEYS)).toBeUndefined();
    expect(suggestKey('env', KEYS)).toBeUndefined();
    expect(suggestKey('x', [])).toBeUndefined();
  });
});
