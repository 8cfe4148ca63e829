import { LatheError } from '@lathe/contract';
import type { Handlers, RequestContext } from '../http/handler.js';
import type { ModelService } from './model-service.js';
import type { RunService } from '../runs/run-service.js';

type Ops = 'listModels' | 'getModel' | 'listModelVersions' | 'createModelVersion' | 'getModelVersion' | 'updateModelVersion' | 'deleteModelVersion' | 'listRunModels';

/** A run named as a model's source must be in the workspace, and in a run token's own tree. */
export function runChecker(runs: RunService, ctx: Pick<RequestContext, 'principal' | 'ws'>) {
  return async (runId: string) => {
    await runs.row(ctx.ws.id, runId);
    if (ctx.principal.kind === 'run' && !(await runs.isWithin(runId, ctx.principal.runId))) {
      throw new LatheError('PERMISSION_DENIED', `a run-scoped token for run '${ctx.principal.runId}' cannot register models from run '${runId}'`);
    }
  };
}

export function modelHandlers(d: { models: ModelService; runs: RunService }): Pick<Handlers, Ops> {
  return {
    listModels: async ({ query }, ctx) => d.models.listModels(ctx.ws, query),
    getModel: async ({ params }, ctx) => d.models.getModel(ctx.ws, params.name),
    listModelVersions: async ({ params, query }, ctx) => {
      await d.models.modelRow(ctx.ws.id, params.name);
      return d.models.listVersions(ctx.ws, { ...query, name: params.name });
    },
    createModelVersion: async ({ params, body }, ctx) => {
      if (ctx.principal.kind === 'run' && body.source.kind !== 'uri' && !body.run_id) {
        throw new LatheError('PERMISSION_DENIED', 'a run-scoped token registers models from its run\'s files (source runs:/<run>/<path>)');
      }
      return d.models.createVersion(ctx.ws, ctx.principal.userId, params.name, body, runChecker(d.runs, ctx));
    },
    getModelVersion: async ({ params }, ctx) => d.models.getVersion(ctx.ws, params.name, params.version),
    updateModelVersion: async ({ params, body }, ctx) => d.models.updateVersion(ctx.ws, params.name, params.version, body),
    deleteModelVersion: async ({ params }, ctx) => {
      await d.models.deleteVersion(ctx.ws, params.name, params.version);
      return { ok: true as const };
    },
    listRunModels: async ({ params }, ctx) => {
      const run = await d.runs.row(ctx.ws.id, params.run);
      return { items: (await d.models.listVersions(ctx.ws, { runId: run.id, include_archived: true, max_results: 1000 })).items };
    },
  };
}
