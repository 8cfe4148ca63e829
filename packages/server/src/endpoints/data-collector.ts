import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { isListable, type BlobStore } from '../storage/blob-store.js';

/** One sampled request with its answer, as Azure ML's data collector records model inputs and outputs. */
export interface CollectedRecord {
  correlationid: string;
  time: string;
  endpoint: string;
  deployment: string;
  status: number;
  model_inputs: unknown;
  model_outputs: unknown;
}

const FLUSH_MS = 2000;
const FLUSH_RECORDS = 500;

function asJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Sampled request/response bodies, written to the blob store as JSON Lines under
 * `endpoints/<endpoint>/<deployment>/data-collector/<yyyy>/<mm>/<dd>/<hh>/<time>-<id>.jsonl`
 * (Azure ML's hourly layout). The gateway only appends to a buffer; writes happen in the
 * background every two seconds, so sampling costs the hot path almost nothing.
 */
export class DataCollector {
  private readonly buffers = new Map<string, CollectedRecord[]>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly blobs: BlobStore, private readonly log: (m: string) => void) {}

  static prefix(endpoint: string, deployment: string): string {
    return `endpoints/${endpoint}/${deployment}/data-collector/`;
  }

  add(endpoint: string, deployment: string, request: Buffer, status: number, response: Buffer): void {
    const key = `${endpoint}/${deployment}`;
    let list = this.buffers.get(key);
    if (!list) this.buffers.set(key, (list = []));
    list.push({ correlationid: randomUUID(), time: new Date().toISOString(), endpoint, deployment, status, model_inputs: asJson(request), model_outputs: asJson(response) });
    if (list.length >= FLUSH_RECORDS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Write what is buffered (also on shutdown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.buffers.entries()];
    this.buffers.clear();
    this.flushing = this.flushing.then(async () => {
      for (const [key, records] of batches) {
        if (records.length === 0) continue;
        const [endpoint, deployment] = key.split('/') as [string, string];
        const d = new Date();
        const pad = (n: number) => String(n).padStart(2, '0');
        const path = `${DataCollector.prefix(endpoint, deployment)}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/${d.getTime()}-${randomUUID().slice(0, 8)}.jsonl`;
        const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
        await this.blobs.put(path, Readable.from([Buffer.from(text)])).catch((e: Error) => this.log(`data collector: could not write ${path}: ${e.message}`));
      }
    });
    return this.flushing;
  }

  /** The newest `max` records of a deployment (flushing first so they include the last requests). */
  async recent(endpoint: string, deployment: string, max: number): Promise<CollectedRecord[]> {
    await this.flush();
    if (!isListable(this.blobs)) return [];
    const keys: string[] = [];
    for await (const e of this.blobs.list(DataCollector.prefix(endpoint, deployment))) keys.push(e.key);
    const out: CollectedRecord[] = [];
    for (const key of keys.sort().reverse()) {
      const chunks: Buffer[] = [];
      for await (const c of await this.blobs.get(key)) chunks.push(c as Buffer);
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).reverse();
      for (const line of lines) {
        out.push(JSON.parse(line) as CollectedRecord);
        if (out.length >= max) return out.reverse();
      }
    }
    return out.reverse();
  }
}
