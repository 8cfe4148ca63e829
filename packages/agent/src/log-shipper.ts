import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LatheClient } from '@lathe/client';
import { withRetry } from './retry.js';
import { Redactor } from './redaction/redactor.js';

const MAX_CHUNK = 512 * 1024;

/**
 * Ships the job's combined stdout/stderr to the server as it arrives, and keeps the
 * same bytes in a local std_log.txt (uploaded at the end). Every append names the byte
 * offset it starts at, so a retried append is never stored twice.
 */
export class LogShipper {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly file: WriteStream;
  /** Secret values never reach the stored log (server or std_log.txt). */
  private readonly redactor = new Redactor();

  constructor(private readonly client: LatheClient, private readonly runId: string, localPath: string, private readonly intervalMs = 250) {
    this.file = createWriteStream(localPath, { flags: 'a' });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.intervalMs);
  }

  /** Hide these values from every line stored from now on; returns the ones too short to hide. */
  redact(values: Iterable<string>): string[] {
    return this.redactor.add(values);
  }

  write(chunk: Buffer | string): void {
    const text = this.redactor.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    if (!text) return;
    this.file.write(text);
    this.pending += text;
  }

  /** A line from the agent itself (preparation steps), marked so users can tell it apart. */
  note(line: string): void {
    this.write(`[lathe] ${line}\n`);
  }

  /** Send everything written so far; resolves when the server has it. */
  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      while (this.pending.length > 0) {
        let text = this.pending.slice(0, MAX_CHUNK);
        // Do not split a surrogate pair across chunks.
        const last = text.charCodeAt(text.length - 1);
        if (text.length < this.pending.length && last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
        const offset = this.offset;
        await withRetry(() => this.client.call('appendLog', { params: { run: this.runId }, body: { offset, data: text } }), { maxMs: 30 * 60_000 });
        this.offset += Buffer.byteLength(text, 'utf8');
        this.pending = this.pending.slice(text.length);
      }
    });
    return this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const rest = this.decoder.end();
    if (rest) this.write(rest);
    const held = this.redactor.end();
    if (held) {
      this.file.write(held);
      this.pending += held;
    }
    await this.flush();
    await new Promise<void>((resolve) => this.file.end(resolve));
  }
}
