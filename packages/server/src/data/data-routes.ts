import type { Handlers } from '../http/handler.js';
import type { DataService } from './data-service.js';
import type { RunService } from '../runs/run-service.js';

type Ops = 'listData' | 'listDataVersions' | 'createDataVersion' | 'getDataVersion' | 'checkDataVersion' | 'getDataLineage' | 'listRunData';

export function dataHandlers(d: { data: DataService; runs: RunService }): Pick<Handlers, Ops> {
  return {
    listData: async ({ query }, ctx) => d.data.list(ctx.ws.id, query),
    listDataVersions: async ({ params, query }, ctx) => d.data.listVersions(ctx.ws.id, params.name, query),
    createDataVersion: async ({ params, body }, ctx) => {
      if (body.run_id) await d.runs.row(ctx.ws.id, body.run_id);
      return d.data.create(ctx.ws.id, ctx.principal.userId, params.name, body);
    },
    getDataVersion: async ({ params }, ctx) => d.data.get(ctx.ws.id, params.name, params.version),
    checkDataVersion: async ({ params }, ctx) => d.data.check(ctx.ws.id, params.name, params.version),
    getDataLineage: async ({ params }, ctx) => ({ items: await d.data.lineage(ctx.ws.id, params.name, params.version) }),
    listRunData: async ({ params }, ctx) => {
      await d.runs.row(ctx.ws.id, params.run);
      return { items: await d.data.runLineage(ctx.ws.id, params.run) };
    },
  };
}
