import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** How to start one worker process. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The worker's stdout/stderr are appended here (the deployment log). */
  readonly logFile: string;
}

export interface WorkerReply {
  status: number;
  body: Buffer;
}

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

const REQ_HEADER = 8;
const RES_HEADER = 12;

/**
 * One scoring worker: a child process fed over the framed protocol on fds 3 (requests)
 * and 4 (responses) — see python/lathe_scoring/protocol.py. Requests are pipelined;
 * the worker answers them in order. Not detached: it dies with the server.
 */
export class ScoringWorker {
  readonly child: ChildProcess;
  /** Settles when init() finished (or failed). */
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly input: Writable;
  private exited = false;
  private corked = false;
  private readyResolve!: () => void;
  private readyReject!: (e: Error) => void;

  constructor(cmd: WorkerCommand, onExit: (worker: ScoringWorker, code: number | null, signal: NodeJS.Signals | null) => void) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => undefined);
    const log = openSync(cmd.logFile, 'a');
    try {
      this.child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env, stdio: ['ignore', log, log, 'pipe', 'pipe'] });
    } finally {
      closeSync(log);
    }
    this.input = this.child.stdio[3] as Writable;
    this.input.on('error', () => undefined);
    const output = this.child.stdio[4] as Readable;
    output.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.on('error', (err) => this.readyReject(err));
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`scoring worker exited (${signal ?? `code ${code}`})`);
      this.readyReject(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      onExit(this, code, signal);
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Send one request body; resolves with the worker's status and JSON body. */
  call(body: Buffer): Promise<WorkerReply> {
    if (this.exited) return Promise.reject(new Error('scoring worker is not running'));
    const id = this.nextId++;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    const frame = Buffer.allocUnsafe(REQ_HEADER + body.length);
    frame.writeUInt32BE(id, 0);
    frame.writeUInt32BE(body.length, 4);
    body.copy(frame, REQ_HEADER);
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Frames written in the same tick leave in one writev: under load, one syscall for many requests.
      if (!this.corked) {
        this.corked = true;
        this.input.cork();
        process.nextTick(() => {
          this.corked = false;
          this.input.uncork();
        });
      }
      this.input.write(frame);
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** Close the request stream: the worker finishes what it has and exits. */
  stop(graceMs: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.kill(), graceMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.input.end();
    });
  }

  private onData(chunk: Buffer): void {
    let buf = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (buf.length >= RES_HEADER) {
      const length = buf.readUInt32BE(8);
      if (buf.length < RES_HEADER + length) break;
      const id = buf.readUInt32BE(0);
      const status = buf.readUInt32BE(4);
      const body = buf.subarray(RES_HEADER, RES_HEADER + length);
      buf = buf.subarray(RES_HEADER + length);
      if (id === 0) {
        if (status === 200) this.readyResolve();
        else this.readyReject(new Error(body.toString('utf8')));
        continue;
      }
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        p.resolve({ status, body });
      }
    }
    this.buffered = buf;
  }
}
