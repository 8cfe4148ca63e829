import type { Handlers } from '../http/handler.js';
import type { EnvironmentService } from './environment-service.js';

type Ops = 'listEnvironments' | 'createEnvironment' | 'getEnvironment' | 'resolveEnvironment' | 'buildEnvironment' | 'listEnvironmentAliases';

export function environmentHandlers(environments: EnvironmentService): Pick<Handlers, Ops> {
  return {
    listEnvironments: async ({ query }, ctx) => environments.list(ctx.ws, query),
    createEnvironment: async ({ body }, ctx) => environments.create(ctx.ws, ctx.principal.userId, body),
    getEnvironment: async ({ params }, ctx) => environments.get(ctx.ws, params.name, params.version),
    resolveEnvironment: async ({ body }, ctx) => (await environments.resolve(ctx.ws.id, body.environment, body.compute))!,
    buildEnvironment: async ({ params, body }, ctx) => environments.build(ctx.ws, ctx.principal.userId, params.name, params.version, body.compute),
    listEnvironmentAliases: async () => environments.aliases(),
  };
}
