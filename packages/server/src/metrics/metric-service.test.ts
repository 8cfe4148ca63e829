import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.js';
import { sqliteDialect } from '../db/sqlite-dialect.js';
import { PageTokens } from '../paging/page-tokens.js';
import { MetricService } from './metric-service.js';

describe('MetricService: the latest value of each metric', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-metrics-'));
  let db: Db;
  let close: () => Promise<void>;
  let metrics: MetricService;
  const point = (key: string, value: number, step: number, timestamp: number) => ({ metrics: [{ key, value, step, timestamp }], params: [], tags: [] });
  const latest = async (run: string, key: string) => (await metrics.latest([run])).get(run)?.[key];

  beforeAll(async () => {
    ({ db, close } = await openDatabase(`sqlite://${pathToFileURL(join(dir, 'db.sqlite')).pathname}`, { sqlite: sqliteDialect }));
    metrics = new MetricService(db, new PageTokens('s'));
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the point with the highest step, whatever order the points arrive in', async () => {
    await metrics.logBatch('r1', point('loss', 0.5, 5, 100));
    await metrics.logBatch('r1', point('loss', 0.9, 1, 200));
    expect(await latest('r1', 'loss')).toEqual({ value: 0.5, step: 5, timestamp: 100 });
    await metrics.logBatch('r1', point('loss', 0.2, 6, 50));
    expect(await latest('r1', 'loss')).toEqual({ value: 0.2, step: 6, timestamp: 50 });
  });

  it('breaks a tie on step by timestamp, then by value, as MLflow does', async () => {
    await metrics.logBatch('r2', point('acc', 0.3, 1, 10));
    await metrics.logBatch('r2', point('acc', 0.1, 1, 20));
    expect((await latest('r2', 'acc'))?.value).toBe(0.1);
    await metrics.logBatch('r2', point('acc', 0.05, 1, 20));
    expect((await latest('r2', 'acc'))?.value).toBe(0.1);
    await metrics.logBatch('r2', point('acc', 0.7, 1, 20));
    expect((await latest('r2', 'acc'))?.value).toBe(0.7);
  });

  it('keeps NaN as a value, replaced by a newer point and never replacing an older one', async () => {
    await metrics.logBatch('r3', point('x', NaN, 2, 1));
    expect((await latest('r3', 'x'))?.value).toBe('NaN');
    await metrics.logBatch('r3', point('x', 4, 1, 9));
    expect((await latest('r3', 'x'))?.value).toBe('NaN');
    await metrics.logBatch('r3', point('x', 4, 3, 1));
    expect((await latest('r3', 'x'))?.value).toBe(4);
  });

  it('takes each key of a mixed batch on its own, and keeps every point in the history', async () => {
    await metrics.logBatch('r4', { metrics: [
      { key: 'a', value: 1, step: 2, timestamp: 1 }, { key: 'b', value: 10, step: 0, timestamp: 1 },
      { key: 'a', value: 2, step: 1, timestamp: 1 }, { key: 'b', value: 20, step: 1, timestamp: 1 },
    ], params: [], tags: [] });
    expect(await latest('r4', 'a')).toMatchObject({ value: 1, step: 2 });
    expect(await latest('r4', 'b')).toMatchObject({ value: 20, step: 1 });
    const history = await metrics.history('r4', 'a', {});
    expect(history.points.map((p) => [p.step, p.value])).toEqual([[1, 2], [2, 1]]);
  });
});
