import { isTerminal, LatheError, type Run, type RunStatus } from '@lathe/contract';
import type { LatheClient } from '@lathe/client';
import type { Output } from '../output/output.js';
import { formatDuration } from '../output/format.js';

/**
 * Print a job's log live until it ends; survives a server restart by resuming from the
 * last byte offset. Returns the final run record.
 */
export async function streamJob(client: LatheClient, name: string, out: Output, write: (s: string) => void): Promise<Run> {
  let offset = 0;
  let lastStatus: string | undefined;
  const started = Date.now();
  out.note(`RunId: ${name}`);
  for (;;) {
    try {
      for await (const ev of client.events('streamLog', { params: { run: name }, query: { offset } })) {
        if (ev.event === 'log') {
          const { data } = JSON.parse(ev.data) as { data: string };
          write(data);
          offset = Number(ev.id ?? offset);
        } else if (ev.event === 'status') {
          const { status } = JSON.parse(ev.data) as { status: RunStatus };
          if (status !== lastStatus && !isTerminal(status)) out.note(`[${status}]`);
          lastStatus = status;
        }
      }
      const run = await client.call('getRun', { params: { run: name } });
      if (isTerminal(run.status)) {
        out.note(`\nExecution Summary\n=================\nRunId: ${run.id}\nStatus: ${run.status}${run.status_reason ? `\nReason: ${run.status_reason}` : ''}\nDuration: ${formatDuration(run.started_at, run.ended_at)}`);
        return run;
      }
    } catch (err) {
      if (!(err instanceof LatheError && err.code === 'UNAVAILABLE') || Date.now() - started > 24 * 3600_000) throw err;
      // The server is restarting: wait and resume where we were.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
