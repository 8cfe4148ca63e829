import { Readable } from 'node:stream';
import { isTerminal, type RunStatus } from '@lathe/contract';
import type { Handlers } from '../http/handler.js';
import type { LogService } from './log-service.js';
import type { RunService } from '../runs/run-service.js';

export function logHandlers(d: { logs: LogService; runs: RunService }): Pick<Handlers, 'appendLog' | 'readLog' | 'streamLog'> {
  return {
    appendLog: async ({ params, body }, ctx) => {
      const run = await d.runs.row(ctx.ws.id, params.run);
      return { size: await d.logs.append(run.id, body.offset, body.data) };
    },
    readLog: async ({ params, query }, ctx) => {
      const run = await d.runs.row(ctx.ws.id, params.run);
      const { data, size } = await d.logs.read(run.id, query.offset);
      ctx.reply.header('x-log-size', String(size));
      return { stream: Readable.from([data]), contentType: 'text/plain; charset=utf-8', size: Buffer.byteLength(data) };
    },
    streamLog: async ({ params, query }, ctx) => {
      const run = await d.runs.row(ctx.ws.id, params.run);
      const lastId = Number(ctx.request.headers['last-event-id']);
      let pos = Number.isFinite(lastId) && lastId > 0 ? lastId : query.offset;
      const raw = ctx.reply.raw;
      ctx.reply.hijack();
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const send = (event: string, data: unknown, id?: number) =>
        raw.write(`event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);

      let closed = false;
      let pumping: Promise<void> = Promise.resolve();
      // Reads are serialised: each pump sends what the store holds past `pos`.
      const pump = () => {
        pumping = pumping.then(async () => {
          if (closed) return;
          const { data, size } = await d.logs.read(run.id, pos);
          if (data.length > 0) send('log', { offset: pos, data }, size);
          pos = size;
        });
        return pumping;
      };
      const finish = async (status: RunStatus) => {
        await pump();
        if (closed) return;
        send('status', { status });
        send('end', { status });
        close();
      };
      const onAppend = (id: string) => {
        if (id === run.id) void pump();
      };
      const onStatus = (id: string, _ws: number, status: RunStatus) => {
        if (id !== run.id) return;
        if (isTerminal(status)) void finish(status);
        else send('status', { status });
      };
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        d.logs.events.off('append', onAppend);
        d.runs.events.off('status', onStatus);
        raw.end();
      };
      raw.on('close', close);
      d.logs.events.on('append', onAppend);
      d.runs.events.on('status', onStatus);
      send('status', { status: run.status });
      await pump();
      const now = await d.runs.row(ctx.ws.id, run.id);
      if (isTerminal(now.status as RunStatus)) await finish(now.status as RunStatus);
    },
  };
}
