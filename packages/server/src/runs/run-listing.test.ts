import { describe, expect, it } from 'vitest';
import { parseOrderBy } from './run-listing.js';

describe('parseOrderBy', () => {
  it('reads attributes, metrics, params and tags with a direction', () => {
    expect(parseOrderBy(undefined)).toEqual({ kind: 'attribute', field: 'created_at', desc: true });
    expect(parseOrderBy('metrics.loss ASC')).toEqual({ kind: 'metrics', field: 'loss', desc: false });
    expect(parseOrderBy('params.lr desc')).toEqual({ kind: 'params', field: 'lr', desc: true });
    expect(parseOrderBy('tags."my tag"')).toEqual({ kind: 'tags', field: 'my tag', desc: false });
  });
  it('refuses unknown attributes with the list of valid ones', () => {
    expect(() => parseOrderBy('banana DESC')).toThrow(/created_at, started_at/);
  });
});
