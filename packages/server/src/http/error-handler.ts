import type { FastifyError, FastifyInstance } from 'fastify';
import { LatheError, type ErrorCode } from '@lathe/contract';

const CODE_BY_STATUS: Record<number, ErrorCode> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'RESOURCE_EXHAUSTED', 415: 'INVALID_ARGUMENT' };

/**
 * The one place errors become responses: a LatheError keeps its code; a framework 4xx
 * (bad JSON, body too large) gets the matching code; anything else is INTERNAL, logged
 * with its cause, and the client sees no stack.
 */
export function installErrorHandler(app: FastifyInstance, log: (msg: string) => void): void {
  app.setErrorHandler((err: FastifyError | LatheError, request, reply) => {
    let error: LatheError;
    if (err instanceof LatheError) {
      error = err;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      error = new LatheError(CODE_BY_STATUS[err.statusCode] ?? 'INVALID_ARGUMENT', err.message);
    } else {
      log(`internal error on ${request.method} ${request.url}: ${err.stack ?? String(err)}`);
      error = new LatheError('INTERNAL', 'internal server error; the server log has the details');
    }
    void reply.status(error.httpStatus).type('application/json').send(error.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new LatheError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(404).send(e.toBody());
  });
}
