import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperationId, RouteParsed, RouteResponse, Routes } from '@lathe/contract';
import type { Principal } from '../auth/principal.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';

export interface RequestContext {
  /** Null only on routes that need no token. */
  principal: Principal;
  /** Set on every route under /workspaces/:ws, after the role check. */
  ws: WorkspaceRef;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A streamed response body. */
export interface StreamBody {
  stream: Readable;
  contentType: string;
  size?: number | undefined;
  fileName?: string | undefined;
}

/** What each route's handler returns: JSON for JSON routes; a stream for downloads; nothing for SSE (it writes itself). */
type Result<K extends OperationId> = Routes[K] extends { stream: 'download' }
  ? StreamBody
  : Routes[K] extends { stream: 'sse' }
    ? void
    : RouteResponse<Routes[K]>;

export type Handler<K extends OperationId> = (input: RouteParsed<Routes[K]>, ctx: RequestContext) => Promise<Result<K>>;

export type Handlers = { [K in OperationId]: Handler<K> };
export type SomeHandlers = Partial<Handlers>;
