import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API operation. JSON operations carry zod schemas for every part; streamed ones say
 * how their body travels (`upload`: raw bytes in, `download`: raw bytes out, `sse`:
 * server-sent events out).
 */
export interface RouteDef {
  readonly method: HttpMethod;
  /** Fastify-style path: `/api/v1/workspaces/:ws/runs/:run`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
  readonly stream?: 'upload' | 'download' | 'sse';
  /** `none` only for /health; `admin` for user management. Default `user`. */
  readonly auth?: 'none' | 'user' | 'admin';
}

export const route = <const D extends RouteDef>(def: D): D => def;

type Infer<T> = T extends z.ZodType ? z.input<T> : undefined;
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What a caller passes for a route (inputs before defaults). */
export interface RouteInput<D extends RouteDef> {
  params: Infer<D['params']>;
  query: Infer<D['query']>;
  body: Infer<D['body']>;
}

/** What a handler receives (after parsing and defaults). */
export interface RouteParsed<D extends RouteDef> {
  params: Out<D['params']>;
  query: Out<D['query']>;
  body: Out<D['body']>;
}

export type RouteResponse<D extends RouteDef> = Out<D['response']>;
