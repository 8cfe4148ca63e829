import type { Handlers } from '../http/handler.js';
import type { ExperimentService } from './experiment-service.js';

export function experimentHandlers(experiments: ExperimentService): Pick<Handlers, 'listExperiments' | 'createExperiment' | 'getExperiment'> {
  return {
    listExperiments: async ({ query }, ctx) => experiments.list(ctx.ws.id, query),
    createExperiment: async ({ body }, ctx) => experiments.create(ctx.ws.id, body.name, body.tags),
    getExperiment: async ({ params }, ctx) => experiments.get(ctx.ws.id, params.name),
  };
}
