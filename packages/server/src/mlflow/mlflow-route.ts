import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';

export interface MlflowContext {
  principal: Principal;
  ws: WorkspaceRef;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One MLflow operation: where it lives, how its input is read, and what it does. */
export interface MlflowRoute<S extends z.ZodType = z.ZodType> {
  methods: Array<'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'>;
  /** Under /api/2.0 (and /ajax-api/2.0), e.g. `/mlflow/runs/create`. */
  path: string;
  /** Searches are POSTs that only read. */
  access: 'read' | 'write';
  /** Request message; GET and DELETE read it from the query string (and a JSON body if any). */
  input?: S;
  /** `raw`: the handler reads the body stream itself (artifact uploads). */
  body?: 'json' | 'raw';
  /** `none`: authorised by a signature in the URL instead of a token (multipart part uploads). */
  auth?: 'token' | 'none';
  /**
   * How a run-scoped token may use a write: on the run named in the input (`input`), in
   * the artifact path (`path`), as parent of a new run (`parent`), or freely (`free`: the
   * service checks, e.g. registering a model from the token's run). Unset: refused.
   */
  runTokens?: 'input' | 'path' | 'parent' | 'free';
  handle(input: z.output<S>, ctx: MlflowContext): Promise<unknown>;
}

export const mlflowRoute = <S extends z.ZodType>(r: MlflowRoute<S>): MlflowRoute => r as unknown as MlflowRoute;
