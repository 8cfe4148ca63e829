import { describe, expect, it } from 'vitest';
import { LatheClient, RunLogger } from '@lathe/client';
import { useLathe } from './support/use-lathe.js';

describe('RunLogger, the TypeScript SDK\'s logging', () => {
  const lathe = useLathe();

  it('batches metrics, params and tags, logs child runs and artifacts', async () => {
    const run = await lathe().client.call('createRun', { body: { experiment_name: 'ts' } });
    const logger = new RunLogger({ client: lathe().client, runId: run.id, intervalMs: 50 });
    for (let i = 0; i < 3000; i++) logger.logMetric('loss', 1 / (i + 1));
    logger.logMetric('odd', NaN);
    logger.logParams({ lr: 0.01, layers: 3 });
    logger.setTag('stage', 'dev');
    await logger.withChildRun('fold-1', async (child) => child.logMetric('acc', 0.8));
    await logger.logArtifact('outputs/note.txt', 'written from TypeScript');
    await logger.end();

    const got = await lathe().client.call('getRun', { params: { run: run.id } });
    expect(got.status).toBe('Completed');
    expect(got.params).toEqual({ lr: '0.01', layers: '3' });
    expect(got.tags.stage).toBe('dev');
    expect(got.metrics.loss!.step).toBe(2999);
    expect(got.metrics.odd!.value).toBe('NaN');
    const history = await lathe().client.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss' } });
    expect(history.points).toHaveLength(3000);
    const kids = await lathe().client.call('listRuns', { query: { parent_run_id: run.id } });
    expect(kids.items[0]).toMatchObject({ display_name: 'fold-1', status: 'Completed' });
    const art = await lathe().client.download('downloadArtifact', { params: { run: run.id }, query: { path: 'outputs/note.txt' } });
    expect(await art.text()).toBe('written from TypeScript');
  });

  it('retries through an outage with the same idempotency key, storing each point once', async () => {
    const run = await lathe().client.call('createRun', { body: { experiment_name: 'ts' } });
    let calls = 0;
    // The first two sends are acknowledged by the server but the answers are "lost" on the way back.
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('/log-batch') && calls++ < 2) throw new TypeError('fetch failed');
      return res;
    };
    const client = new LatheClient({ url: lathe().url, token: lathe().token, fetch: flaky });
    const logger = new RunLogger({ client, runId: run.id, intervalMs: 20 });
    for (let i = 0; i < 10; i++) logger.logMetric('m', i);
    await logger.close();
    const history = await lathe().client.call('getMetricHistory', { params: { run: run.id }, query: { key: 'm' } });
    expect(history.points.map((p) => p.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls).toBeGreaterThanOrEqual(3);
  });
});
