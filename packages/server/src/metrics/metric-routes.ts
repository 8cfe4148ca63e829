import type { Handlers } from '../http/handler.js';
import type { MetricService } from './metric-service.js';
import type { RunService } from '../runs/run-service.js';

type Ops = 'logBatch' | 'listMetricKeys' | 'getMetricHistory' | 'getMetricSeries';

export function metricHandlers(d: { metrics: MetricService; runs: RunService }): Pick<Handlers, Ops> {
  const run = async (wsId: number, id: string) => (await d.runs.row(wsId, id)).id;
  return {
    logBatch: async ({ params, body }, ctx) => d.metrics.logBatch(await run(ctx.ws.id, params.run), body),
    listMetricKeys: async ({ params }, ctx) => ({ keys: await d.metrics.keys(await run(ctx.ws.id, params.run)) }),
    getMetricHistory: async ({ params, query }, ctx) => d.metrics.history(await run(ctx.ws.id, params.run), query.key, query),
    getMetricSeries: async ({ params, query }, ctx) => d.metrics.series(await run(ctx.ws.id, params.run), query.key, query),
  };
}
