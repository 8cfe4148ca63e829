import { describe, expect, it } from 'vitest';
import { parseRunFilter } from './search-filter.js';

describe('parseRunFilter (MLflow search grammar)', () => {
  it('parses metrics, params, tags and attributes joined by AND', () => {
    expect(parseRunFilter("metrics.loss < 0.5 and params.lr = '0.1' AND tags.`team name` LIKE 'vis%' and status = 'FINISHED'")).toEqual([
      { entity: 'metric', key: 'loss', op: '<', value: 0.5 },
      { entity: 'param', key: 'lr', op: '=', value: '0.1' },
      { entity: 'tag', key: 'team name', op: 'LIKE', value: 'vis%' },
      { entity: 'attribute', key: 'status', op: '=', value: 'FINISHED' },
    ]);
  });

  it('reads IN lists, IS NULL, quoted keys with dots, and negative numbers', () => {
    expect(parseRunFilter("attributes.run_id IN ('a', 'b') and tags.\"mlflow.note\" IS NOT NULL and metric.x >= -1e-3")).toEqual([
      { entity: 'attribute', key: 'run_id', op: 'IN', value: ['a', 'b'] },
      { entity: 'tag', key: 'mlflow.note', op: 'IS NOT NULL', value: null },
      { entity: 'metric', key: 'x', op: '>=', value: -0.001 },
    ]);
    expect(parseRunFilter('tags.mlflow.source.git.branch = \'main\'')).toEqual([{ entity: 'tag', key: 'mlflow.source.git.branch', op: '=', value: 'main' }]);
  });

  it.each([
    ["metrics.loss < 'low'", /compares to a number/],
    ['params.lr > 0.1', /is a string/],
    ["metrics.a = 1 or metrics.b = 2", /OR is not supported/],
    ["banana = 'x'", /unknown attribute 'banana'/],
    ["params.lr = 'unterminated", /unterminated quote/],
    ['metrics.loss <', /expected a value/],
  ])('refuses %s with a message a person can act on', (filter, message) => {
    expect(() => parseRunFilter(filter)).toThrow(message);
  });
});
