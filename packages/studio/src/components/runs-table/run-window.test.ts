import { describe, expect, it } from 'vitest';
import { RunWindow } from './run-window';

function server(total: number) {
  const calls: Array<[number, number]> = [];
  const fetch = async (offset: number, limit: number) => {
    calls.push([offset, limit]);
    await new Promise((r) => setTimeout(r, 1));
    return Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
  };
  return { calls, fetch };
}

describe('RunWindow', () => {
  it('fetches only the pages a visible range touches, each once', async () => {
    const s = server(100_000);
    let changes = 0;
    const w = new RunWindow(s.fetch, () => changes++, 100);
    await Promise.all([w.ensure(50_010, 50_150), w.ensure(50_020, 50_030)]);
    expect(s.calls).toEqual([[50_000, 100], [50_100, 100]]);
    expect(w.row(50_123)).toBe(50_123);
    expect(w.row(10)).toBeUndefined();
    await w.ensure(50_010, 50_150);
    expect(s.calls).toHaveLength(2);
    expect(changes).toBe(2);
  });

  it('learns the list length from a short page', async () => {
    const s = server(250);
    const w = new RunWindow(s.fetch, () => undefined, 100);
    await w.ensure(0, 99);
    expect(w.knownLength).toBeUndefined();
    expect(w.loadedLength()).toBe(100);
    await w.ensure(200, 260);
    expect(w.knownLength).toBe(250);
    await w.ensure(300, 400);
    expect(s.calls).toHaveLength(2);
  });

  it('keeps a bounded number of pages, dropping the farthest', async () => {
    const s = server(100_000);
    const w = new RunWindow(s.fetch, () => undefined, 100, 3);
    for (const p of [0, 1, 2, 50]) await w.ensure(p * 100, p * 100);
    expect(w.row(0)).toBeUndefined();
    expect(w.row(150)).toBe(150);
    expect(w.row(5000)).toBe(5000);
    await w.ensure(0, 0);
    expect(s.calls).toHaveLength(5);
  });

  it('refreshes loaded pages only, and keeps errors for the caller', async () => {
    const s = server(1000);
    const w = new RunWindow(s.fetch, () => undefined, 100);
    await w.ensure(0, 10);
    await w.refresh(0, 500);
    expect(s.calls).toEqual([[0, 100], [0, 100]]);
    const failing = new RunWindow<number>(async () => Promise.reject(new Error('down')), () => undefined, 100);
    await failing.ensure(0, 10);
    expect((failing.error as Error).message).toBe('down');
  });
});
