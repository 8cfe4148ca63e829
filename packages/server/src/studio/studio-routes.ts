import type { Handlers } from '../http/handler.js';
import type { StudioService } from './studio-service.js';

export function studioHandlers(studio: StudioService): Pick<Handlers, 'listRunWindow' | 'countRuns' | 'getExperimentKeys'> {
  return {
    listRunWindow: async ({ query }, ctx) => studio.runWindow(ctx.ws, query),
    countRuns: async ({ query }, ctx) => ({ count: await studio.countRuns(ctx.ws, query) }),
    getExperimentKeys: async ({ params }, ctx) => studio.experimentKeys(ctx.ws, params.name),
  };
}
