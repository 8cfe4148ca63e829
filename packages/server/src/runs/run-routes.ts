import { LatheError } from '@lathe/contract';
import type { Handlers } from '../http/handler.js';
import type { RunService } from './run-service.js';
import type { TokenService } from '../auth/token-service.js';
import type { RunRow } from './run-mapper.js';

type Ops = 'submitJob' | 'createRun' | 'listRuns' | 'getRun' | 'updateRun' | 'cancelRun' | 'setRunStatus' | 'heartbeat' | 'createRunToken';

export function runHandlers(d: { runs: RunService; tokens: TokenService; stopAgent: (row: RunRow) => Promise<void> }): Pick<Handlers, Ops> {
  return {
    submitJob: async ({ body }, ctx) => d.runs.submit(ctx.ws, ctx.principal.userId, body),
    createRun: async ({ body }, ctx) => d.runs.createTracking(ctx.ws, ctx.principal.userId, body),
    listRuns: async ({ query }, ctx) => d.runs.list(ctx.ws, query),
    getRun: async ({ params }, ctx) => d.runs.get(ctx.ws, params.run),
    updateRun: async ({ params, body }, ctx) => d.runs.update(ctx.ws, params.run, body),
    cancelRun: async ({ params, body }, ctx) => d.runs.cancel(ctx.ws, params.run, body.reason, d.stopAgent),
    setRunStatus: async ({ params, body }, ctx) => d.runs.setStatus(ctx.ws, params.run, body),
    heartbeat: async ({ params }, ctx) => d.runs.heartbeat(ctx.ws, params.run),
    createRunToken: async ({ params }, ctx) => {
      if (ctx.principal.kind === 'run') throw new LatheError('PERMISSION_DENIED', 'a run-scoped token cannot mint tokens');
      const run = await d.runs.row(ctx.ws.id, params.run);
      return { token: await d.tokens.createRunToken(ctx.principal.userId, run.id, ctx.ws.id) };
    },
  };
}
