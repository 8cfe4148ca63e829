import type { FastifyInstance } from 'fastify';
import { LatheError } from '@lathe/contract';
import type { TokenService } from '../auth/token-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import type { EndpointService } from './endpoint-service.js';
import { registerGateway } from './gateway.js';
import { prometheusText } from './prometheus.js';

/**
 * The endpoints area's own HTTP surface outside the contract's route table: the scoring
 * gateway (endpoint keys, raw bodies) and Prometheus text at /metrics (an administrator's
 * token: it spans workspaces).
 */
export async function registerEndpointHttp(app: FastifyInstance, o: { endpoints: EndpointService; tokens: TokenService; workspaces: WorkspaceService; bodyLimit: number }): Promise<void> {
  await registerGateway(app, {
    endpoint: (name) => o.endpoints.liveEndpoint(name),
    latheTokenAllows: async (authorization, wsName) => {
      try {
        await o.workspaces.resolve(await o.tokens.authenticate(authorization), wsName, 'read');
        return true;
      } catch {
        return false;
      }
    },
    collect: (ep, d, request, status, response) => o.endpoints.collect(ep.name, d.name, request, status, response),
    bodyLimit: o.bodyLimit,
  });
  app.get('/metrics', async (request, reply) => {
    const principal = await o.tokens.authenticate(request.headers.authorization);
    if (!principal.isAdmin) throw new LatheError('PERMISSION_DENIED', '/metrics spans every workspace; it needs an administrator\'s token');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText(await o.endpoints.prometheusSeries()));
  });
}
