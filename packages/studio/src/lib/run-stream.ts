/**
 * A run's live log and status over the server-sent-event stream (`streamLog`): `log`
 * events carry text from a byte offset, `status` events each change, `end` the final
 * status. The SDK reads SSE with fetch, so the token travels in a header (EventSource
 * cannot send one). A dropped connection is resumed from the last byte offset.
 */
import type { LatheClient } from '@lathe/client';
import { LatheError, type RunStatus } from '@lathe/contract';

export interface RunStreamState {
  status: RunStatus | null;
  ended: boolean;
  /** The log so far, as received chunks (joined on demand). */
  chunks: string[];
  bytes: number;
  error: unknown;
  /** Bumps on every change, for React. */
  version: number;
}

export class RunStream {
  state: RunStreamState = { status: null, ended: false, chunks: [], bytes: 0, error: undefined, version: 0 };
  private readonly abort = new AbortController();
  private readonly listeners = new Set<() => void>();
  private started = false;

  constructor(private readonly client: LatheClient, private readonly runId: string, private readonly retryMs = 2000) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    if (!this.started) {
      this.started = true;
      void this.loop();
    }
    return () => {
      this.listeners.delete(fn);
    };
  }

  close(): void {
    this.abort.abort();
  }

  text(): string {
    if (this.state.chunks.length > 1) this.state.chunks = [this.state.chunks.join('')];
    return this.state.chunks[0] ?? '';
  }

  private emit(patch: Partial<RunStreamState>): void {
    this.state = { ...this.state, ...patch, version: this.state.version + 1 };
    for (const fn of this.listeners) fn();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted && !this.state.ended) {
      try {
        for await (const ev of this.client.events('streamLog', { params: { run: this.runId }, query: { offset: this.state.bytes } }, this.abort.signal)) {
          if (ev.event === 'log') {
            const { data } = JSON.parse(ev.data) as { offset: number; data: string };
            const next = ev.id !== undefined ? Number(ev.id) : this.state.bytes + new TextEncoder().encode(data).length;
            this.emit({ chunks: [...this.state.chunks, data], bytes: next, error: undefined });
          } else if (ev.event === 'status') {
            const { status } = JSON.parse(ev.data) as { status: RunStatus };
            this.emit({ status, error: undefined });
          } else if (ev.event === 'end') {
            const { status } = JSON.parse(ev.data) as { status: RunStatus };
            this.emit({ status, ended: true });
            return;
          }
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.emit({ error: err });
        // A refused token or a missing run will not get better by retrying.
        if (err instanceof LatheError && ['UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND'].includes(err.code)) return;
      }
      if (this.abort.signal.aborted || this.state.ended) return;
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }
}
