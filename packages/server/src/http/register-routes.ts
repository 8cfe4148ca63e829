import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { LatheError, routes, type OperationId, type RouteDef } from '@lathe/contract';
import type { TokenService } from '../auth/token-service.js';
import type { Principal } from '../auth/principal.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import type { Handlers, StreamBody } from './handler.js';

/** Operations a run-scoped token may call; every other one is refused. */
const RUN_TOKEN_OPERATIONS: ReadonlySet<OperationId> = new Set<OperationId>([
  'whoami', 'listWorkspaces', 'getRun', 'createRun', 'setRunStatus', 'heartbeat', 'logBatch', 'listMetricKeys',
  'getMetricHistory', 'getMetricSeries', 'listArtifacts', 'uploadArtifact', 'downloadArtifact', 'appendLog', 'readLog',
  'getSnapshot', 'downloadBlob', 'getModel', 'getModelVersion', 'createModelVersion', 'listRunModels',
  'getRunSecrets',
]);

export interface RegisterOptions {
  tokens: TokenService;
  workspaces: WorkspaceService;
  /** Whether run `id` is the token's own run or one of its children. */
  runWithin: (id: string, root: string) => Promise<boolean>;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0]!;
    throw new LatheError('INVALID_ARGUMENT', `invalid ${where}${first.path ? ` field '${first.path}'` : ''}: ${first.message}`, { issues });
  }
  return result.data;
}

/** Bind every operation of the contract's route table to its handler. */
export function registerRoutes(app: FastifyInstance, handlers: Handlers, o: RegisterOptions): void {
  for (const [operationId, def] of Object.entries(routes) as Array<[OperationId, RouteDef]>) {
    const handler = handlers[operationId] as (input: unknown, ctx: unknown) => Promise<unknown>;
    if (!handler) throw new Error(`no handler for operation ${operationId}`);
    app.route({
      method: def.method,
      url: def.path,
      handler: async (request, reply) => {
        const principal = def.auth === 'none' ? null : await o.tokens.authenticate(request.headers.authorization);
        if (def.auth === 'admin' && !principal?.isAdmin) throw new LatheError('PERMISSION_DENIED', 'only an administrator can do this');
        const params = parsePart(def.params, request.params, 'path parameter') as Record<string, string> | undefined;
        const query = parsePart(def.query, request.query, 'query parameter');
        const body = def.stream === 'upload' ? undefined : parsePart(def.body, request.body, 'request body');
        if (principal?.kind === 'run') await checkRunScope(principal, operationId, params, body, o);
        const ws = params?.ws !== undefined && principal
          ? await o.workspaces.resolve(principal, params.ws, def.method === 'GET' ? 'read' : 'write')
          : undefined;
        const result = await handler({ params, query, body }, { principal, ws, request, reply });
        if (def.stream === 'sse') return reply;
        if (def.stream === 'download') {
          const s = result as StreamBody;
          reply.header('content-type', s.contentType);
          if (s.size !== undefined) reply.header('content-length', s.size);
          if (s.fileName) reply.header('content-disposition', `attachment; filename="${s.fileName.replace(/["\\\r\n]/g, '_')}"`);
          return reply.send(s.stream);
        }
        return result;
      },
    });
  }
}

async function checkRunScope(principal: Extract<Principal, { kind: 'run' }>, op: OperationId, params: Record<string, string> | undefined, body: unknown, o: RegisterOptions): Promise<void> {
  const denied = (why: string) => new LatheError('PERMISSION_DENIED', `a run-scoped token ${why}`);
  if (!RUN_TOKEN_OPERATIONS.has(op)) throw denied(`cannot call ${op}`);
  if (params?.run !== undefined && !(await o.runWithin(params.run, principal.runId))) throw denied(`for run '${principal.runId}' cannot act on run '${params.run}'`);
  if (op === 'createRun') {
    const parent = (body as { parent_run_id?: string }).parent_run_id;
    if (!parent || !(await o.runWithin(parent, principal.runId))) throw denied('can only create child runs of its own run');
  }
}

export type { FastifyRequest };
