// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ColumnChooser } from './runs-table/column-chooser';
import { buildColumns, type Column } from './runs-table/column-model';
import { FilePreview } from './file-browser/preview';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let host: HTMLDivElement;
let root: Root;
beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

describe('ColumnChooser', () => {
  it('lists columns by group, narrows by search, and shows or hides a whole group', () => {
    const columns = buildColumns({ metrics: ['loss', 'acc'], params: ['lr'], tags: ['team'] });
    const visible = new Set(columns.filter((c) => c.defaultVisible).map((c) => c.id));
    const calls: Array<[string[], boolean]> = [];
    const render = () =>
      act(() =>
        root.render(
          <ColumnChooser columns={columns} isVisible={(c: Column) => visible.has(c.id)} setVisible={(cols, v) => calls.push([cols.map((c) => c.id), v])} onClose={() => undefined} />,
        ),
      );
    render();
    const heads = [...host.querySelectorAll('.chooser-head')].map((h) => h.textContent);
    expect(heads.some((h) => h?.startsWith('Metrics') && h.includes('2/2'))).toBe(true);
    expect(heads.some((h) => h?.startsWith('Tags') && h.includes('0/1'))).toBe(true);

    const metricsNone = [...host.querySelectorAll('.chooser-group')].find((g) => g.textContent?.startsWith('Metrics'))!.querySelectorAll('button')[1]!;
    act(() => metricsNone.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    expect(calls.at(-1)).toEqual([['metric:loss', 'metric:acc'], false]);

    const input = host.querySelector('input.input') as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, 'los');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const labels = [...host.querySelectorAll('.chooser-label')].map((l) => l.textContent);
    expect(labels).toEqual(['loss']);
  });
});

describe('FilePreview', () => {
  it('shows a CSV file as a table', async () => {
    const open = async () => new Response('x,y\n1,2.5\n3,"4,5"\n');
    await act(async () => {
      root.render(<FilePreview file={{ path: 'data/points.csv', size: 20 }} open={open} />);
    });
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    const table = host.querySelector('[data-testid="csv-preview"]');
    expect(table).not.toBeNull();
    const cells = [...table!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent));
    expect(cells).toEqual([['1', '2.5'], ['3', '4,5']]);
  });

  it('pretty-prints JSON and says when a file is binary', async () => {
    await act(async () => {
      root.render(<FilePreview file={{ path: 'model.json', size: 9 }} open={async () => new Response('{"a":1}')} />);
    });
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(host.querySelector('[data-testid="text-preview"]')?.textContent).toContain('"a": 1');
    await act(async () => {
      root.render(<FilePreview file={{ path: 'weights.bin', size: 3 }} open={async () => new Response(new Uint8Array([1, 0, 2]))} />);
    });
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(host.textContent).toContain('binary file');
  });
});
