import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { YamlLocator } from './yaml-locator.js';
import { JOB_YAML_OPTIONS } from './yaml-options.js';

const TEXT = ['# comment', 'command: echo', 'inputs:', '  data:', '    type: uri_folder', '  list: [a, b]', 'limits: {timeout: 5}', '1: numeric key', ''].join('\n');

function locator(): YamlLocator {
  const lines = new LineCounter();
  return new YamlLocator(parseDocument(TEXT, { ...JOB_YAML_OPTIONS, lineCounter: lines }), lines);
}

describe('YamlLocator', () => {
  it('points at values, keys and parent mappings (1-based)', () => {
    const l = locator();
    expect(l.locate(['command'])).toEqual({ line: 2, column: 10 });
    expect(l.locate(['command'], 'key')).toEqual({ line: 2, column: 1 });
    expect(l.locate(['inputs', 'data', 'type'])).toEqual({ line: 5, column: 11 });
    expect(l.locate(['inputs', 'data', 'path'], 'parent')).toEqual({ line: 5, column: 5 });
    expect(l.locate(['limits', 'timeout'])).toEqual({ line: 7, column: 19 });
    expect(l.locate(['inputs', 'list', 1])).toEqual({ line: 6, column: 13 });
    expect(l.locate(['1'], 'key')).toEqual({ line: 8, column: 1 });
  });

  it('falls back to the nearest enclosing node for a path that is not there', () => {
    expect(locator().locate(['inputs', 'data', 'nope', 'deeper'])).toEqual({ line: 5, column: 5 });
  });

  it('names the --set flag for nodes the flag wrote', () => {
    const lines = new LineCounter();
    const doc = parseDocument(TEXT, { ...JOB_YAML_OPTIONS, lineCounter: lines });
    doc.setIn(['limits', 'timeout'], doc.createNode('x'));
    const l = new YamlLocator(doc, lines, [{ raw: 'limits.timeout=x', path: ['limits', 'timeout'] }]);
    expect(l.locate(['limits', 'timeout'])).toEqual({ setOverride: 'limits.timeout=x' });
    expect(l.locate(['command'])).toEqual({ line: 2, column: 10 });
  });
});
