import type { Handlers } from '../http/handler.js';
import type { EndpointService } from './endpoint-service.js';

type Ops = 'listOnlineEndpoints' | 'putOnlineEndpoint' | 'getOnlineEndpoint' | 'deleteOnlineEndpoint' | 'listOnlineEndpointKeys'
  | 'regenerateOnlineEndpointKeys' | 'getOnlineEndpointMetrics' | 'listOnlineDeployments' | 'putOnlineDeployment' | 'getOnlineDeployment'
  | 'deleteOnlineDeployment' | 'getOnlineDeploymentLogs' | 'getOnlineDeploymentData';

export function endpointHandlers(endpoints: EndpointService): Pick<Handlers, Ops> {
  return {
    listOnlineEndpoints: async (_i, ctx) => ({ items: await endpoints.listEndpoints(ctx.ws) }),
    putOnlineEndpoint: async ({ params, body }, ctx) => endpoints.putEndpoint(ctx.ws, ctx.principal.userId, params.endpoint, body),
    getOnlineEndpoint: async ({ params }, ctx) => endpoints.getEndpoint(ctx.ws, params.endpoint),
    deleteOnlineEndpoint: async ({ params }, ctx) => {
      await endpoints.deleteEndpoint(ctx.ws, params.endpoint);
      return { ok: true as const };
    },
    listOnlineEndpointKeys: async ({ params }, ctx) => endpoints.keys(ctx.ws, params.endpoint),
    regenerateOnlineEndpointKeys: async ({ params, body }, ctx) => endpoints.regenerateKey(ctx.ws, params.endpoint, body.key_type, body.key_value),
    getOnlineEndpointMetrics: async ({ params }, ctx) => ({ items: await endpoints.metrics(ctx.ws, params.endpoint) }),
    listOnlineDeployments: async ({ params }, ctx) => ({ items: await endpoints.listDeployments(ctx.ws, params.endpoint) }),
    putOnlineDeployment: async ({ params, body }, ctx) => endpoints.putDeployment(ctx.ws, params.endpoint, params.deployment, body),
    getOnlineDeployment: async ({ params }, ctx) => endpoints.getDeployment(ctx.ws, params.endpoint, params.deployment),
    deleteOnlineDeployment: async ({ params }, ctx) => {
      await endpoints.deleteDeployment(ctx.ws, params.endpoint, params.deployment);
      return { ok: true as const };
    },
    getOnlineDeploymentData: async ({ params, query }, ctx) => ({ items: await endpoints.collected(ctx.ws, params.endpoint, params.deployment, query.max_results ?? 100) }),
    getOnlineDeploymentLogs: async ({ params, query }, ctx) => ({ deployment: params.deployment, text: await endpoints.logs(ctx.ws, params.endpoint, params.deployment, query.lines) }),
  };
}
