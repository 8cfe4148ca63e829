import { z } from 'zod';
import { route } from '../route.js';
import { AddMember, CreatedUser, CreateUser, CreateWorkspace, Member, User, WhoAmI, Workspace } from '../resources/workspace.js';
import { WS, Ws } from './params.js';

export const workspaceRoutes = {
  health: route({ method: 'GET', path: '/health', tag: 'system', summary: 'Liveness; the one route without a token.', auth: 'none', response: z.object({ status: z.literal('ok'), version: z.string() }) }),
  openapi: route({ method: 'GET', path: '/api/v1/openapi.json', tag: 'system', summary: 'This API, as OpenAPI 3.1.', response: z.record(z.string(), z.unknown()) }),
  whoami: route({ method: 'GET', path: '/api/v1/whoami', tag: 'auth', summary: 'The caller and the workspaces it may use.', response: WhoAmI }),
  createUser: route({ method: 'POST', path: '/api/v1/users', tag: 'auth', summary: 'Create a user and its first token (admin only).', auth: 'admin', body: CreateUser, response: CreatedUser }),
  listUsers: route({ method: 'GET', path: '/api/v1/users', tag: 'auth', summary: 'List users (admin only).', auth: 'admin', response: z.object({ items: z.array(User) }) }),
  listWorkspaces: route({ method: 'GET', path: '/api/v1/workspaces', tag: 'workspaces', summary: 'Workspaces the caller is a member of.', response: z.object({ items: z.array(Workspace) }) }),
  createWorkspace: route({ method: 'POST', path: '/api/v1/workspaces', tag: 'workspaces', summary: 'Create a workspace; the caller becomes its owner.', body: CreateWorkspace, response: Workspace }),
  addMember: route({ method: 'PUT', path: `${WS}/members`, tag: 'workspaces', summary: 'Give a user a role in the workspace (owner only).', params: Ws, body: AddMember, response: Member }),
  listMembers: route({ method: 'GET', path: `${WS}/members`, tag: 'workspaces', summary: 'Members and roles.', params: Ws, response: z.object({ items: z.array(Member) }) }),
} as const;
