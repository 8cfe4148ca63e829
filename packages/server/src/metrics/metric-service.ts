import { invalid, notFound, type LatestMetric, type LogBatch, type MetricSeries } from '@lathe/contract';
import type { Db } from '../db/database.js';
import { QueryTemplates } from '../db/query-templates.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { decodeChunk, encodeChunk, type Points } from './chunk-codec.js';
import { downsample } from './downsample.js';
import { toStoredValue, toWireValue } from './metric-values.js';

/** MLflow's rule for metric, param and tag keys. */
const KEY_PATTERN = /^[/\w.\- ]+$/;

function checkKey(kind: string, key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').includes('..') || key.startsWith('/')) {
    throw invalid(`invalid ${kind} key '${key}': use letters, digits, '_', '-', '.', ' ' and '/' (no '..' or leading '/')`);
  }
}

interface KeyBatch {
  steps: number[];
  values: number[];
  timestamps: number[];
  latest: { step: number; ts: number; value: number };
}

const newer = (a: { step: number; ts: number; value: number }, b: { step: number; ts: number; value: number }) =>
  a.step > b.step || (a.step === b.step && (a.ts > b.ts || (a.ts === b.ts && a.value > b.value)));

/** Metrics, params and tags of runs. `logBatch` is the one write primitive. */
export class MetricService {
  /** The batch write runs on every log call; its statements are compiled once per batch shape. */
  private readonly templates = new QueryTemplates();

  constructor(private readonly db: Db, private readonly pages: PageTokens) {}

  /**
   * Store a batch atomically: params are immutable (re-logging a different value rejects
   * the whole batch), tags are last-write-wins, metrics append. A batch whose idempotency
   * key was seen before is acknowledged and not stored again.
   */
  async logBatch(runId: string, batch: LogBatch): Promise<{ stored_metrics: number; duplicate: boolean }> {
    for (const p of batch.params) checkKey('param', p.key);
    for (const t of batch.tags) checkKey('tag', t.key);
    const now = Date.now();
    const byKey = new Map<string, KeyBatch>();
    for (const m of batch.metrics) {
      let kb = byKey.get(m.key);
      if (!kb) {
        checkKey('metric', m.key);
        kb = { steps: [], values: [], timestamps: [], latest: { step: -Infinity, ts: -Infinity, value: -Infinity } };
        byKey.set(m.key, kb);
      }
      const value = toStoredValue(m.value);
      const step = m.step ?? 0;
      const ts = m.timestamp ?? now;
      kb.steps.push(step);
      kb.values.push(value);
      kb.timestamps.push(ts);
      const point = { step, ts, value };
      if (newer(point, kb.latest)) kb.latest = point;
    }
    const seenParams = new Map<string, string>();
    for (const p of batch.params) {
      const prior = seenParams.get(p.key);
      if (prior !== undefined && prior !== p.value) throw invalid(`param '${p.key}' appears twice in the batch with different values`);
      seenParams.set(p.key, p.value);
    }

    return this.db.transaction().execute(async (trx) => {
      if (batch.idempotency_key) {
        const ins = await trx.insertInto('idempotency_keys').values({ run_id: runId, key: batch.idempotency_key, created_at: now })
          .onConflict((oc) => oc.columns(['run_id', 'key']).doNothing()).executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return { stored_metrics: 0, duplicate: true };
      }
      if (seenParams.size > 0) {
        const keys = [...seenParams.keys()];
        const { rows: existing } = await this.templates.execute(trx, `params?:${keys.length}`, [runId, ...keys],
          () => trx.selectFrom('run_params').select(['key', 'value']).where('run_id', '=', runId).where('key', 'in', keys));
        for (const e of existing) {
          const v = seenParams.get(e.key);
          if (v !== e.value) throw invalid(`param '${e.key}' was already logged with value '${e.value}'; params are immutable, so '${v}' cannot replace it`, { key: e.key, old_value: e.value, new_value: v });
          seenParams.delete(e.key);
        }
        if (seenParams.size > 0) {
          const rows = [...seenParams].map(([key, value]) => ({ run_id: runId, key, value }));
          await this.templates.execute(trx, `params+:${rows.length}`, rows.flatMap((r) => [r.run_id, r.key, r.value]), () => trx.insertInto('run_params').values(rows));
        }
      }
      if (batch.tags.length > 0) {
        const rows = [...new Map(batch.tags.map((t) => [t.key, t.value]))].map(([key, value]) => ({ run_id: runId, key, value }));
        await this.templates.execute(trx, `tags:${rows.length}`, rows.flatMap((r) => [r.run_id, r.key, r.value]),
          () => trx.insertInto('run_tags').values(rows).onConflict((oc) => oc.columns(['run_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))));
      }
      if (byKey.size > 0) {
        const chunks = [...byKey].map(([key, kb]) => {
          let minStep = Infinity;
          let maxStep = -Infinity;
          for (const s of kb.steps) {
            if (s < minStep) minStep = s;
            if (s > maxStep) maxStep = s;
          }
          return { run_id: runId, key, count: kb.steps.length, min_step: minStep, max_step: maxStep, data: encodeChunk(kb.steps, kb.values, kb.timestamps) };
        });
        await this.templates.execute(trx, `chunks:${chunks.length}`, chunks.flatMap((c) => [c.run_id, c.key, c.count, c.min_step, c.max_step, c.data]),
          () => trx.insertInto('metric_chunks').values(chunks));
        // One upsert for every key: a point replaces the latest only if it is newer by
        // (step, timestamp, value). NaN is stored as NULL, and NULL compares false, as NaN does.
        const latest = [...byKey].map(([key, { latest: l }]) => ({
          run_id: runId, key, value: Number.isNaN(l.value) ? null : l.value, is_nan: Number.isNaN(l.value) ? 1 : 0, step: l.step, timestamp: l.ts,
        }));
        await this.templates.execute(trx, `latest:${latest.length}`, latest.flatMap((l) => [l.run_id, l.key, l.value, l.is_nan, l.step, l.timestamp]),
          () => trx.insertInto('latest_metrics').values(latest)
            .onConflict((oc) => oc.columns(['run_id', 'key'])
              .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), is_nan: eb.ref('excluded.is_nan'), step: eb.ref('excluded.step'), timestamp: eb.ref('excluded.timestamp') }))
              .where((eb) => eb.or([
                eb('excluded.step', '>', eb.ref('latest_metrics.step')),
                eb.and([eb('excluded.step', '=', eb.ref('latest_metrics.step')), eb.or([
                  eb('excluded.timestamp', '>', eb.ref('latest_metrics.timestamp')),
                  eb.and([eb('excluded.timestamp', '=', eb.ref('latest_metrics.timestamp')), eb('excluded.value', '>', eb.ref('latest_metrics.value'))]),
                ])]),
              ]))));
      }
      return { stored_metrics: batch.metrics.length, duplicate: false };
    });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    const res = await this.db.deleteFrom('run_tags').where('run_id', '=', runId).where('key', '=', key).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  }

  async latest(runIds: string[]): Promise<Map<string, Record<string, LatestMetric>>> {
    const out = new Map<string, Record<string, LatestMetric>>();
    if (runIds.length === 0) return out;
    const rows = await this.db.selectFrom('latest_metrics').selectAll().where('run_id', 'in', runIds).execute();
    for (const r of rows) {
      const rec = out.get(r.run_id) ?? {};
      rec[r.key] = { value: r.is_nan ? 'NaN' : Number(r.value), step: Number(r.step), timestamp: Number(r.timestamp) };
      out.set(r.run_id, rec);
    }
    return out;
  }

  async keys(runId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('latest_metrics').select('key').where('run_id', '=', runId).orderBy('key').execute();
    return rows.map((r) => r.key);
  }

  private async chunks(runId: string, key: string, lo?: number, hi?: number): Promise<Points[]> {
    let q = this.db.selectFrom('metric_chunks').select(['data', 'count']).where('run_id', '=', runId).where('key', '=', key);
    if (lo !== undefined) q = q.where('max_step', '>=', lo);
    if (hi !== undefined) q = q.where('min_step', '<=', hi);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => decodeChunk(r.data, r.count));
  }

  async history(runId: string, key: string, q: { max_results?: number; page_token?: string }) {
    const size = q.max_results ?? 25_000;
    const scope = `history:${runId}:${key}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    const points: Array<{ step: number; value: number; timestamp: number; order: number }> = [];
    let order = 0;
    for (const c of await this.chunks(runId, key)) {
      for (let i = 0; i < c.steps.length; i++) points.push({ step: c.steps[i]!, value: c.values[i]!, timestamp: c.timestamps[i]!, order: order++ });
    }
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.order - b.order);
    const page = points.slice(offset, offset + size);
    return {
      key,
      points: page.map((p) => ({ step: p.step, value: toWireValue(p.value), timestamp: p.timestamp })),
      next_page_token: offset + page.length < points.length ? nextToken(this.pages, scope, offset, page.length, size) : null,
    };
  }

  async series(runId: string, key: string, q: { buckets: number; min_step?: number; max_step?: number }): Promise<MetricSeries> {
    const range = await this.db.selectFrom('metric_chunks')
      .select((eb) => [eb.fn.min('min_step').as('lo'), eb.fn.max('max_step').as('hi'), eb.fn.sum('count').as('n')])
      .where('run_id', '=', runId).where('key', '=', key).executeTakeFirst();
    if (!range || range.lo === null || range.hi === null) return { key, total_points: 0, min_step: null, max_step: null, buckets: [] };
    const lo = q.min_step ?? Number(range.lo);
    const hi = q.max_step ?? Number(range.hi);
    if (hi < lo) throw invalid('max_step must not be below min_step');
    const buckets = downsample(await this.chunks(runId, key, lo, hi), lo, hi, q.buckets);
    return { key, total_points: Number(range.n), min_step: Number(range.lo), max_step: Number(range.hi), buckets };
  }

  async params(runIds: string[]): Promise<Map<string, Record<string, string>>> {
    return this.keyValues('run_params', runIds);
  }

  async tags(runIds: string[]): Promise<Map<string, Record<string, string>>> {
    return this.keyValues('run_tags', runIds);
  }

  private async keyValues(table: 'run_params' | 'run_tags', runIds: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (runIds.length === 0) return out;
    const rows = await this.db.selectFrom(table).select(['run_id', 'key', 'value']).where('run_id', 'in', runIds).execute();
    for (const r of rows) {
      const rec = out.get(r.run_id) ?? {};
      rec[r.key] = r.value;
      out.set(r.run_id, rec);
    }
    return out;
  }
}
