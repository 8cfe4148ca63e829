import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { JobFileError } from './job-file-error.js';
import { applySetOverrides } from './set-overrides.js';
import { JOB_YAML_OPTIONS } from './yaml-options.js';

function apply(text: string, flags: string[]): unknown {
  const doc = parseDocument(text, JOB_YAML_OPTIONS);
  applySetOverrides(doc, flags, 'job.yml');
  return doc.toJS();
}

describe('applySetOverrides', () => {
  it('reads values as YAML scalars', () => {
    expect(apply('a: 1\n', ['a=30', 'b=hi', 'c=true', 'd=3.5', "e='30'", 'f=null', 'g=', 'h=x=y'])).toEqual({
      a: 30,
      b: 'hi',
      c: true,
      d: 3.5,
      e: '30',
      f: null,
      g: '',
      h: 'x=y',
    });
  });

  it('keeps text YAML would not read as one value', () => {
    expect(apply('{}\n', ['a=python t.py --x: 1', 'b=echo # not a comment', 'c=- item', 'd=[unclosed'])).toEqual({
      a: 'python t.py --x: 1',
      b: 'echo # not a comment',
      c: '- item',
      d: '[unclosed',
    });
  });

  it('creates missing mappings, replaces empty ones and overwrites in order', () => {
    expect(apply('limits:\ninputs:\n  x: 1\n', ['limits.timeout=5', 'inputs.y.type=string', 'inputs.x=2', 'inputs.x=3'])).toEqual({
      limits: { timeout: 5 },
      inputs: { x: 3, y: { type: 'string' } },
    });
  });

  it('returns the applied flags with their paths', () => {
    const doc = parseDocument('a: 1\n', JOB_YAML_OPTIONS);
    expect(applySetOverrides(doc, ['x.y=1'], 'job.yml')).toEqual([{ raw: 'x.y=1', path: ['x', 'y'] }]);
  });

  it('throws one JobFileError naming every bad flag', () => {
    const doc = parseDocument('command: echo\ninputs: [a]\n', JOB_YAML_OPTIONS);
    let caught: unknown;
    try {
      applySetOverrides(doc, ['=1', 'inputs.a=1', 'ok=1', '.x=1'], 'job.yml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JobFileError);
    expect((caught as JobFileError).message.split('\n')).toEqual([
      'job.yml: --set =1: expected path.to.key=value, e.g. --set limits.timeout=3600',
      'job.yml: inputs.a (from --set inputs.a=1): cannot set inputs.a: inputs is a list, not a mapping',
      "job.yml: --set .x=1: '.x' is not a dotted key path",
    ]);
  });
});
