import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LatheError } from '@lathe/contract';
import type { TokenService } from '../auth/token-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import type { MlflowRoute } from './mlflow-route.js';
import { mlflowError, toMlflowError } from './mlflow-error.js';
import { target } from './mlflow-artifacts.js';
import type { Principal } from '../auth/principal.js';

export interface MlflowPluginOptions {
  routes: MlflowRoute[];
  /** Whether run `id` is `root` or one of its children (run-scoped tokens write only there). */
  runWithin: (id: string, root: string) => Promise<boolean>;
  tokens: TokenService;
  workspaces: WorkspaceService;
  log: (m: string) => void;
}

/** The header that picks a workspace for MLflow clients (which know nothing of workspaces). */
export const WORKSPACE_HEADER = 'x-lathe-workspace';

/** MLflow clients send `Authorization: Bearer <token>`, or Basic with the token as password. */
function authorization(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  const basic = h ? /^Basic\s+(\S+)$/i.exec(h) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return `Bearer ${decoded.slice(decoded.indexOf(':') + 1)}`;
  }
  return h;
}

function describeIssue(issue: { path: PropertyKey[]; message: string; code: string }, input: Record<string, unknown>): string {
  const name = issue.path.map(String).join('.');
  const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
  if (value === undefined) return `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`;
  return `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: ${issue.message}`;
}

/**
 * MLflow's REST API under /api/2.0 and /ajax-api/2.0, answering in MLflow's error shape.
 * The workspace is the run token's, else the X-Lathe-Workspace header, else `default`.
 */
export async function mlflowPlugin(app: FastifyInstance, o: MlflowPluginOptions): Promise<void> {
  for (const prefix of ['/api/2.0', '/ajax-api/2.0']) {
    await app.register(async (scope) => {
      // Artifact uploads arrive with any content type (often none, or text/plain): hand the
      // stream over untouched; only JSON bodies are parsed.
      scope.removeContentTypeParser(['text/plain']);
      scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
      scope.setErrorHandler((err, _request, reply) => {
        const { status, body } = toMlflowError(err, o.log);
        void reply.status(status).send(body);
      });
      // Anything else under /mlflow/ answers in MLflow's shape (static routes win over this one).
      scope.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: '/mlflow/*',
        handler: async (request, reply) => reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No MLflow endpoint ${request.method} ${request.url.split('?')[0]}` }),
      });
      for (const r of o.routes) {
        scope.route({
          method: r.methods,
          url: r.path,
          handler: async (request, reply) => {
            let principal;
            let ws;
            if (r.auth !== 'none') {
              principal = await o.tokens.authenticate(authorization(request));
              const header = request.headers[WORKSPACE_HEADER];
              const name = typeof header === 'string' && header ? header : undefined;
              // A run token belongs to one workspace; a user token defaults to `default`.
              const wsName = name ?? (principal.kind === 'run' ? await o.workspaces.nameOf(principal.workspaceId) : 'default');
              if (!wsName) throw new LatheError('PERMISSION_DENIED', 'no workspace for this token');
              ws = await o.workspaces.resolve(principal, wsName, r.access);
            }
            let input: unknown = {};
            if (r.input) {
              const raw = request.method === 'GET' || request.method === 'DELETE'
                ? { ...(request.query as object), ...(request.body && typeof request.body === 'object' && !('pipe' in request.body) ? request.body : {}) }
                : (request.body ?? {});
              if (typeof raw !== 'object' || raw === null || 'pipe' in raw) throw mlflowError('BAD_REQUEST', 'the request body must be JSON (Content-Type: application/json)');
              const parsed = r.input.safeParse(raw);
              if (!parsed.success) throw mlflowError('INVALID_PARAMETER_VALUE', describeIssue(parsed.error.issues[0]!, raw as Record<string, unknown>));
              input = parsed.data;
            }
            if (principal?.kind === 'run' && r.access === 'write') await checkRunToken(r, principal, input as Record<string, unknown>, request, o);
            const result = await r.handle(input, { principal: principal as never, ws: ws as never, request, reply });
            if (reply.sent) return reply;
            return result;
          },
        });
      }
    }, { prefix });
  }
}

/** A run-scoped token writes only to its own run tree (reads in its workspace are fine). */
async function checkRunToken(r: MlflowRoute, principal: Extract<Principal, { kind: 'run' }>, input: Record<string, unknown>, request: FastifyRequest, o: MlflowPluginOptions): Promise<void> {
  const denied = (why: string) => new LatheError('PERMISSION_DENIED', `a run-scoped token for run '${principal.runId}' ${why}`);
  const within = async (id: unknown) => typeof id === 'string' && (await o.runWithin(id, principal.runId));
  switch (r.runTokens) {
    case 'free':
      return;
    case 'input':
      if (!(await within(input.run_id ?? input.run_uuid))) throw denied(`cannot write to run '${String(input.run_id ?? input.run_uuid)}'`);
      return;
    case 'path': {
      const t = target(decodeURIComponent((request.params as { '*'?: string })['*'] ?? ''));
      if (t.kind !== 'run' || !(await within(t.runId))) throw denied('can only write its own run\'s artifacts');
      return;
    }
    case 'parent': {
      const tags = (input.tags as Array<{ key: string; value: string }> | undefined) ?? [];
      if (!(await within(tags.find((t) => t.key === 'mlflow.parentRunId')?.value))) throw denied('can only create nested runs of its own run (tag mlflow.parentRunId)');
      return;
    }
    default:
      throw denied(`cannot call ${r.path}`);
  }
}
