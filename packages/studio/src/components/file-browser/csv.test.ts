import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';
import { ancestors, buildTree, looksLikeText, previewKind } from './file-tree';

describe('parseCsv', () => {
  it('reads quoted fields with separators, quotes and newlines', () => {
    const { rows } = parseCsv('x,y,note\n1,2,"a, b"\n3,4,"say ""hi"""\n5,6,"two\nlines"\r\n');
    expect(rows).toEqual([['x', 'y', 'note'], ['1', '2', 'a, b'], ['3', '4', 'say "hi"'], ['5', '6', 'two\nlines']]);
  });
  it('guesses tabs, and stops at maxRows', () => {
    expect(parseCsv('a\tb\n1\t2').rows).toEqual([['a', 'b'], ['1', '2']]);
    const big = parseCsv(Array.from({ length: 50 }, (_, i) => `${i},x`).join('\n'), { maxRows: 10 });
    expect(big.rows).toHaveLength(10);
    expect(big.truncated).toBe(true);
  });
});

describe('file tree', () => {
  it('nests paths, folders first, with sizes and counts', () => {
    const t = buildTree([{ path: 'outputs/model.json', size: 10 }, { path: 'user_logs/std_log.txt', size: 5 }, { path: 'outputs/plots/a.png', size: 7 }, { path: 'README', size: 1 }]);
    expect(t.children.map((c) => c.name)).toEqual(['outputs', 'user_logs', 'README']);
    const outputs = t.children[0]!;
    expect(outputs.children.map((c) => c.name)).toEqual(['plots', 'model.json']);
    expect(outputs.size).toBe(17);
    expect(t.files).toBe(4);
    expect(ancestors('a/b/c.txt')).toEqual(['a', 'a/b']);
  });
  it('picks a preview by name and content', () => {
    expect(previewKind('plots/loss.PNG')).toBe('image');
    expect(previewKind('metrics.json')).toBe('json');
    expect(previewKind('data/points.csv')).toBe('csv');
    expect(previewKind('train.py')).toBe('text');
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('model.pkl')).toBe('none');
    expect(looksLikeText(new Uint8Array([104, 105]))).toBe(true);
    expect(looksLikeText(new Uint8Array([1, 0, 2]))).toBe(false);
  });
});
