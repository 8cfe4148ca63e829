import { buildOpenApi, routes } from '@lathe/contract';
import type { Handlers } from '../http/handler.js';
import type { WorkspaceService } from './workspace-service.js';
import type { UserService } from '../auth/user-service.js';

type Ops = 'health' | 'openapi' | 'whoami' | 'createUser' | 'listUsers' | 'listWorkspaces' | 'createWorkspace' | 'addMember' | 'listMembers';

export function workspaceHandlers(d: { workspaces: WorkspaceService; users: UserService; version: string }): Pick<Handlers, Ops> {
  const openapi = buildOpenApi(routes, d.version);
  return {
    health: async () => ({ status: 'ok', version: d.version }),
    openapi: async () => openapi,
    whoami: async (_i, ctx) => ({
      user: ctx.principal.userName,
      is_admin: ctx.principal.isAdmin,
      run_id: ctx.principal.kind === 'run' ? ctx.principal.runId : null,
      workspaces: await d.workspaces.list(ctx.principal),
    }),
    createUser: async ({ body }) => {
      const { user, token } = await d.users.create(body.name);
      return { user, token };
    },
    listUsers: async () => ({ items: await d.users.list() }),
    listWorkspaces: async (_i, ctx) => ({ items: await d.workspaces.list(ctx.principal) }),
    createWorkspace: async ({ body }, ctx) => d.workspaces.create(ctx.principal, body.name),
    addMember: async ({ body }, ctx) => {
      const ws = await d.workspaces.resolve(ctx.principal, ctx.ws.name, 'owner');
      return d.workspaces.setMember(ws, body.user, body.role);
    },
    listMembers: async (_i, ctx) => ({ items: await d.workspaces.members(ctx.ws) }),
  };
}
