import type { Handlers } from '../http/handler.js';
import type { ComputeService } from './compute-service.js';

export function computeHandlers(computes: ComputeService): Pick<Handlers, 'listComputes' | 'createCompute' | 'getCompute' | 'deleteCompute'> {
  return {
    listComputes: async (_i, ctx) => ({ items: await computes.list(ctx.ws.id) }),
    createCompute: async ({ body }, ctx) => computes.create(ctx.ws.id, body),
    getCompute: async ({ params }, ctx) => computes.get(ctx.ws.id, params.name),
    deleteCompute: async ({ params }, ctx) => {
      await computes.delete(ctx.ws.id, params.name);
      return { ok: true as const };
    },
  };
}
