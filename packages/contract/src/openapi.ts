import { z } from 'zod';
import { ErrorBody } from './errors.js';
import type { RouteDef } from './route.js';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(def: RouteDef): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', def.params], ['query', def.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

/** OpenAPI 3.1 generated from the route table's zod schemas. */
export function buildOpenApi(table: Record<string, RouteDef>, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: 'Error', content: { 'application/json': { schema: toSchema(ErrorBody, 'output') } } };
  for (const [operationId, def] of Object.entries(table)) {
    const path = def.path.replace(/:([a-zA-Z0-9_]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      operationId,
      summary: def.summary,
      tags: [def.tag],
      parameters: parameters(def),
      responses: {
        '200': def.stream === 'download'
          ? { description: 'Bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
          : def.stream === 'sse'
            ? { description: 'Server-sent events', content: { 'text/event-stream': { schema: { type: 'string' } } } }
            : { description: 'OK', content: { 'application/json': { schema: def.response ? toSchema(def.response, 'output') : {} } } },
        default: errorResponse,
      },
    };
    if (def.auth !== 'none') op.security = [{ bearer: [] }];
    if (def.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(def.body, 'input') } } };
    if (def.stream === 'upload') op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    (paths[path] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Lathe API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
