import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFileError } from './job-file-error.js';
import { loadJobFile } from './load-job-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lathe-job-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function jobFile(text: string): Promise<string> {
  const file = join(dir, `job-${counter++}.yml`);
  await writeFile(file, text);
  return file;
}

async function loadError(text: string, set?: string[]): Promise<JobFileError> {
  const file = await jobFile(text);
  const err = await loadJobFile(file, { set }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JobFileError);
  return err as JobFileError;
}

describe('loadJobFile', () => {
  it('parses a valid command job, applying schema defaults', async () => {
    const file = await jobFile(
      [
        '$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json',
        'command: python train.py --epochs ${{inputs.epochs}} --out ${{outputs.model}}',
        'code: ./src',
        'inputs:',
        '  epochs: 10',
        '  data:',
        '    type: uri_folder',
        '    path: ./data',
        'outputs:',
        '  model:',
        'limits:',
        '  timeout: 3600',
        '',
      ].join('\n'),
    );
    const loaded = await loadJobFile(file, {});
    expect(loaded.spec.type).toBe('command');
    expect(loaded.spec.inputs?.epochs).toBe(10);
    expect(loaded.spec.inputs?.data).toEqual({ type: 'uri_folder', path: './data', mode: 'ro_mount' });
    expect(loaded.spec.outputs?.model).toBeNull();
    expect(loaded.spec.limits?.timeout).toBe(3600);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.warnings).toEqual([]);
  });

  it('reports a wrong type with file:line:col, the key path and what was expected', async () => {
    const err = await loadError('command: echo hi\nlimits:\n  timeout: ten\n');
    expect(err.message).toBe(`${err.file}:3:12: limits.timeout: expected a number, got "ten"`);
    expect(err).toMatchObject({ line: 3, column: 12, key: 'limits.timeout', reason: 'expected a number, got "ten"' });
  });

  it('reports an unknown key at the key, with a suggestion and the allowed keys', async () => {
    const err = await loadError('command: echo hi\nlimits:\n  tiemout: 30\n');
    expect(err.line).toBe(3);
    expect(err.column).toBe(3);
    expect(err.key).toBe('limits.tiemout');
    expect(err.reason).toBe("unknown key 'tiemout' (did you mean 'timeout'?); allowed keys here: timeout");
  });

  it('suggests a top-level key and lists all of them', async () => {
    const err = await loadError('command: echo hi\nenvironment_variable:\n  A: b\n');
    expect(err.reason).toMatch(/^unknown key 'environment_variable' \(did you mean 'environment_variables'\?\); allowed keys here: \$schema, type, name,/);
    expect(err.reason).toContain('experiment_name');
    const far = await loadError('command: echo hi\nzzz: 1\n');
    expect(far.reason).not.toContain('did you mean');
  });

  it('lists the keys of the union branch the data aims at', async () => {
    const err = await loadError('command: echo hi\ninputs:\n  data:\n    type: uri_folder\n    path: ./d\n    bogus: 1\n');
    expect(err.message).toMatch(/:6:5: inputs\.data\.bogus: unknown key 'bogus'; allowed keys here: type, path, mode, description$/);
  });

  it('reports a missing required key at the parent mapping', async () => {
    const err = await loadError('# a job\nname: x\ncode: .\n');
    expect(err.message).toBe(`${err.file}:2:1: command: missing required key 'command'`);
    const nested = await loadError('command: echo\ninputs:\n  data:\n    type: uri_folder\n');
    expect(nested.message).toBe(`${nested.file}:4:5: inputs.data.path: missing required key 'path'`);
  });

  it('reports every problem, one per line, sorted by position', async () => {
    const err = await loadError(
      ['command: echo ${{inputs.lr}}', 'outputs:', '  o:', '    mode: sideways', 'bogus: 1', 'limits:', '  timeout: -5', 'inputs:', '  a: [1]', ''].join('\n'),
    );
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/:1:10: command: references \$\{\{inputs\.lr\}\}, but the job declares no input 'lr' \(declared inputs: a\)$/);
    expect(lines[1]).toMatch(/:4:11: outputs\.o\.mode: expected one of rw_mount, upload, got "sideways"$/);
    expect(lines[2]).toMatch(/:5:1: bogus: unknown key 'bogus'/);
    expect(lines[3]).toMatch(/:7:12: limits\.timeout: must be greater than 0, got -5$/);
    expect(lines[4]).toMatch(/:9:6: inputs\.a: expected a string, a number, a boolean \(true\/false\), or a mapping, got a list$/);
    expect(err.problems).toHaveLength(5);
  });

  it('names every type an input may have when its type fits none', async () => {
    const err = await loadError('command: echo\ninputs:\n  a:\n    type: folder\n    path: x\n');
    expect(err.message).toMatch(/:4:11: inputs\.a\.type: expected one of uri_file, uri_folder, mltable, custom_model, mlflow_model, string, integer, number, boolean, got "folder"$/);
  });

  it('reports an empty command and a non-integer timeout in plain words', async () => {
    const err = await loadError("command: ''\nlimits: {timeout: 2.5}\n");
    expect(err.message.split('\n')).toEqual([
      `${err.file}:1:10: command: must not be empty`,
      `${err.file}:2:19: limits.timeout: expected a whole number, got 2.5`,
    ]);
  });

  it('reports an empty mapping value as empty', async () => {
    const err = await loadError('command: echo\nlimits:\n');
    expect(err.reason).toBe('expected a mapping, got an empty value');
    expect([err.line, err.column]).toEqual([2, 1]);
    expect(err.key).toBe('limits');
  });

  it('gives file:line:col for malformed YAML', async () => {
    const err = await loadError('command: echo\ninputs:\n  a: 1\n   b: 2\n');
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/job-\d+\.yml:\d+:\d+: invalid YAML: /);
    const dup = await loadError('command: echo\ncommand: again\n');
    expect(dup.message).toMatch(/:2:1: invalid YAML: Map keys must be unique/);
  });

  it('rejects an empty file and a non-mapping top level clearly', async () => {
    const empty = await loadError('# nothing here\n');
    expect(empty.message).toBe(`${empty.file}: the file is empty; a job file is a YAML mapping with at least a 'command' key`);
    const list = await loadError('- command: echo\n');
    expect(list.message).toBe(`${list.file}:1:1: expected a mapping of job keys (like 'command: python train.py') at the top level, got a list`);
    const scalar = await loadError('just text\n');
    expect(scalar.reason).toMatch(/got "just text"$/);
  });

  it('rejects several YAML documents in one file', async () => {
    const err = await loadError('command: a\n---\ncommand: b\n');
    expect(err.reason).toContain('several documents');
  });

  it('rejects job types other than command, naming the type', async () => {
    const err = await loadError('type: sweep\ntrial: ./trial.yml\nsampling_algorithm: random\n');
    expect(err.message).toBe(`${err.file}:1:7: type: 'sweep' jobs are not supported; only command jobs are supported in this version`);
  });

  it('reports undeclared input and output references at the command', async () => {
    const err = await loadError('inputs:\n  epochs: 3\ncommand: >-\n  python t.py ${{inputs.epochs}} ${{inputs.lr}} ${{outputs.model}}\n  $[[--seed ${{inputs.seed}}]]\n');
    const lines = err.message.split('\n');
    expect(lines).toEqual([
      `${err.file}:3:10: command: references \${{inputs.lr}}, but the job declares no input 'lr' (declared inputs: epochs)`,
      `${err.file}:3:10: command: references \${{outputs.model}}, but the job declares no output 'model' (no outputs are declared)`,
    ]);
  });

  it('warns once about keys Lathe records but cannot honour', async () => {
    const file = await jobFile('command: echo\nresources:\n  instance_count: 2\ndistribution:\n  type: pytorch\n');
    const loaded = await loadJobFile(file, {});
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/resources, distribution are recorded with the job but not honoured/);
    expect(loaded.spec.resources).toEqual({ instance_count: 2 });
  });

  it('reports a missing or unreadable file', async () => {
    const missing = join(dir, 'nope.yml');
    await expect(loadJobFile(missing, {})).rejects.toThrow(`${missing}: job file not found`);
    await expect(loadJobFile(dir, {})).rejects.toThrow(JobFileError);
  });

  it('accepts YAML merge keys', async () => {
    const file = await jobFile('base: &b\n  A: "1"\ncommand: echo\nenvironment_variables:\n  <<: *b\n  B: "2"\n');
    // `base` is not a job key; this checks that the merge itself resolves before validation.
    const err = await loadJobFile(file, {}).catch((e: JobFileError) => e);
    expect((err as JobFileError).problems.map((p) => p.key)).toEqual(['base']);
  });
});

describe('loadJobFile --set', () => {
  it('sets values by dotted path, read as YAML scalars, before validation', async () => {
    const file = await jobFile('command: echo ${{inputs.greeting}}\ninputs:\n  greeting: hello\nlimits:\n  timeout: 10\n');
    const loaded = await loadJobFile(file, {
      set: ['limits.timeout=30', 'inputs.greeting=hi', 'inputs.n=007', "tags.quoted='30'", 'tags.flag=true', 'display_name=a: b # c', 'description='],
    });
    expect(loaded.spec.limits?.timeout).toBe(30);
    expect(loaded.spec.inputs?.greeting).toBe('hi');
    expect(loaded.spec.inputs?.n).toBe(7);
    expect(loaded.spec.tags).toEqual({ quoted: '30', flag: true });
    expect(loaded.spec.display_name).toBe('a: b # c');
    expect(loaded.spec.description).toBe('');
  });

  it('reads flow collections as collections', async () => {
    const file = await jobFile('command: echo\n');
    const loaded = await loadJobFile(file, { set: ['environment_variables={A: 1, B: x}'] });
    expect(loaded.spec.environment_variables).toEqual({ A: 1, B: 'x' });
  });

  it('can make a file valid', async () => {
    const file = await jobFile('name: x\n');
    const loaded = await loadJobFile(file, { set: ['command=python train.py'] });
    expect(loaded.spec.command).toBe('python train.py');
  });

  it('blames the flag, not the file, for a bad value it set', async () => {
    const err = await loadError('command: echo\nlimits:\n  timeout: 10\n', ['limits.timeout=ten']);
    expect(err.message).toBe(`${err.file}: limits.timeout (from --set limits.timeout=ten): expected a number, got "ten"`);
    expect(err.line).toBeUndefined();
    expect(err.problems[0]?.setOverride).toBe('limits.timeout=ten');
  });

  it('blames the flag for an unknown key it introduced', async () => {
    const err = await loadError('command: echo\n', ['limits.tiemout=5']);
    expect(err.message).toMatch(/: limits\.tiemout \(from --set limits\.tiemout=5\): unknown key 'tiemout' \(did you mean 'timeout'\?\)/);
  });

  it('rejects malformed flags and paths through non-mappings', async () => {
    const err = await loadError('command: echo\n', ['novalue', 'command.x=1', 'a..b=1']);
    expect(err.message.split('\n')).toEqual([
      `${err.file}: --set novalue: expected path.to.key=value, e.g. --set limits.timeout=3600`,
      `${err.file}: command.x (from --set command.x=1): cannot set command.x: command is "echo", not a mapping`,
      `${err.file}: --set a..b=1: 'a..b' is not a dotted key path`,
    ]);
  });

  it('can override the job type, which is then rejected', async () => {
    const err = await loadError('command: echo\n', ['type=pipeline']);
    expect(err.message).toBe(`${err.file}: type (from --set type=pipeline): 'pipeline' jobs are not supported; only command jobs are supported in this version`);
  });
});
