import { EventEmitter } from 'node:events';
import { precondition } from '@lathe/contract';
import type { Db } from '../db/database.js';

export interface LogEvents {
  /** New bytes of a run's log: (runId, offset, data). */
  append: [string, number, string];
}

/**
 * A run's std_log as numbered chunks in the database. Appends carry the byte offset they
 * start at, so a retried append is recognised and not stored twice. Live readers
 * subscribe to `events` (one process; replicas would poll the table).
 */
export class LogService {
  readonly events = new EventEmitter<LogEvents>();

  constructor(private readonly db: Db) {
    this.events.setMaxListeners(0);
  }

  async size(runId: string): Promise<number> {
    const row = await this.db.selectFrom('log_chunks').select(['offset', 'size']).where('run_id', '=', runId).orderBy('offset', 'desc').limit(1).executeTakeFirst();
    return row ? Number(row.offset) + row.size : 0;
  }

  async append(runId: string, offset: number, data: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('log_chunks').select(['offset', 'size']).where('run_id', '=', runId).orderBy('offset', 'desc').limit(1).executeTakeFirst();
      const size = last ? Number(last.offset) + last.size : 0;
      let bytes = Buffer.from(data, 'utf8');
      if (offset > size) throw precondition(`log append at byte ${offset} would leave a gap: the log has ${size} bytes`, { size });
      if (offset + bytes.length <= size) return size; // a retry of what is stored
      if (offset < size) bytes = bytes.subarray(size - offset);
      const text = bytes.toString('utf8');
      await trx.insertInto('log_chunks').values({ run_id: runId, offset: size, size: bytes.length, data: text, created_at: Date.now() }).execute();
      queueMicrotask(() => this.events.emit('append', runId, size, text));
      return size + bytes.length;
    });
  }

  /** The log from a byte offset (chunk-aligned reads; a mid-chunk offset is cut in bytes). */
  async read(runId: string, from = 0): Promise<{ data: string; size: number }> {
    const rows = await this.db.selectFrom('log_chunks').select(['offset', 'size', 'data']).where('run_id', '=', runId)
      .where((eb) => eb(eb('offset', '+', eb.ref('size')), '>', from)).orderBy('offset').execute();
    const parts: Buffer[] = [];
    let size = from;
    for (const r of rows) {
      const buf = Buffer.from(r.data, 'utf8');
      const start = Math.max(0, from - Number(r.offset));
      parts.push(start > 0 ? buf.subarray(start) : buf);
      size = Number(r.offset) + r.size;
    }
    return { data: Buffer.concat(parts).toString('utf8'), size };
  }
}
