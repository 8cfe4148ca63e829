import { CommandJobYaml } from '@lathe/contract';
import { describe, expect, it } from 'vitest';
import { describeIssues } from './describe-issues.js';

function reports(data: Record<string, unknown>) {
  const result = CommandJobYaml.safeParse(data);
  if (result.success) throw new Error('expected the data to be invalid');
  return describeIssues(result.error.issues, data, CommandJobYaml).map((r) => ({ key: r.path.join('.'), target: r.target, reason: r.reason }));
}

describe('describeIssues', () => {
  it('says what was expected and what was given', () => {
    expect(reports({ command: 5, limits: { timeout: 'ten' } })).toEqual([
      { key: 'command', target: 'value', reason: 'expected a string, got 5' },
      { key: 'limits.timeout', target: 'value', reason: 'expected a number, got "ten"' },
    ]);
  });

  it('reports missing keys against the parent mapping', () => {
    expect(reports({})).toEqual([{ key: 'command', target: 'parent', reason: "missing required key 'command'" }]);
  });

  it('reports each unknown key at the key itself', () => {
    expect(reports({ command: 'x', foo: 1, comand: 2 }).map((r) => [r.key, r.target, r.reason.split(';')[0]])).toEqual([
      ['foo', 'key', "unknown key 'foo'"],
      ['comand', 'key', "unknown key 'comand' (did you mean 'command'?)"],
    ]);
  });

  it('unpicks unions to the branch the data means', () => {
    expect(reports({ command: 'x', inputs: { d: { type: 'uri_file', path: 'p', mode: 'rw_mount' } } })).toEqual([
      { key: 'inputs.d.mode', target: 'value', reason: 'expected one of download, ro_mount, got "rw_mount"' },
    ]);
    expect(reports({ command: 'x', inputs: { d: { path: 'p' } } })).toEqual([
      { key: 'inputs.d.type', target: 'parent', reason: "missing required key 'type' (one of uri_file, uri_folder, mltable, custom_model, mlflow_model, string, integer, number, boolean)" },
    ]);
    expect(reports({ command: 'x', environment_variables: { A: null } })).toEqual([
      { key: 'environment_variables.A', target: 'value', reason: 'expected a string, a number, or a boolean (true/false), got an empty value' },
    ]);
  });
});
