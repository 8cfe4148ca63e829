import { alreadyExists, invalid, notFound, type Experiment } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ExperimentsTable } from '../db/schema.js';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Database } from '../db/schema.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { parseFilter, type FilterCondition } from '../search/search-filter.js';

const EXPERIMENT_FILTER_ATTRIBUTES = { name: 'string', creation_time: 'number', last_update_time: 'number' } as const;
const EXPERIMENT_ORDER: Record<string, 'name' | 'created_at' | 'last_update_time' | 'id'> = { name: 'name', creation_time: 'created_at', last_update_time: 'last_update_time', experiment_id: 'id' };

type Row = Selectable<ExperimentsTable>;

export class ExperimentService {
  constructor(private readonly db: Db, private readonly pages: PageTokens) {}

  private async toExperiment(row: Row): Promise<Experiment> {
    const tags = await this.db.selectFrom('experiment_tags').select(['key', 'value']).where('experiment_id', '=', Number(row.id)).execute();
    return {
      id: String(row.id),
      name: row.name,
      created_at: Number(row.created_at),
      last_update_time: Number(row.last_update_time),
      lifecycle_stage: row.lifecycle_stage as Experiment['lifecycle_stage'],
      tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    };
  }

  private validateName(name: string): void {
    if (!name.trim()) throw invalid('experiment name must not be empty');
    if (name.length > 500) throw invalid('experiment name is longer than 500 characters');
  }

  async create(wsId: number, name: string, tags: Record<string, string> = {}): Promise<Experiment> {
    this.validateName(name);
    const existing = await this.db.selectFrom('experiments').select('id').where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
    if (existing) throw alreadyExists(`experiment '${name}' already exists`);
    return this.toExperiment(await this.insert(wsId, name, tags));
  }

  private async insert(wsId: number, name: string, tags: Record<string, string>): Promise<Row> {
    const now = Date.now();
    const row = await this.db.insertInto('experiments').values({ workspace_id: wsId, name, lifecycle_stage: 'active', created_at: now, last_update_time: now }).returningAll().executeTakeFirstOrThrow();
    for (const [key, value] of Object.entries(tags)) {
      await this.db.insertInto('experiment_tags').values({ experiment_id: Number(row.id), key, value }).execute();
    }
    return row;
  }

  /** Runs name their experiment; it is created on first use, as in Azure ML. */
  async getOrCreate(wsId: number, name: string): Promise<{ id: number; name: string }> {
    this.validateName(name);
    const existing = await this.db.selectFrom('experiments').select(['id', 'name', 'lifecycle_stage']).where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
    if (existing) {
      if (existing.lifecycle_stage === 'deleted') throw invalid(`experiment '${name}' is deleted; restore it or use another name`);
      return { id: Number(existing.id), name: existing.name };
    }
    try {
      const row = await this.insert(wsId, name, {});
      return { id: Number(row.id), name };
    } catch {
      // Lost a race with another creator: the row is there now.
      const row = await this.db.selectFrom('experiments').select(['id', 'name']).where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirstOrThrow();
      return { id: Number(row.id), name: row.name };
    }
  }

  async getRow(wsId: number, nameOrId: string): Promise<Row> {
    const byName = await this.db.selectFrom('experiments').selectAll().where('workspace_id', '=', wsId).where('name', '=', nameOrId).executeTakeFirst();
    if (byName) return byName;
    if (/^[0-9]+$/.test(nameOrId)) {
      const byId = await this.db.selectFrom('experiments').selectAll().where('workspace_id', '=', wsId).where('id', '=', Number(nameOrId)).executeTakeFirst();
      if (byId) return byId;
    }
    throw notFound(`experiment '${nameOrId}' not found`);
  }

  /** By id alone (MLflow's experiment_id), one lookup. */
  async getRowById(wsId: number, id: number): Promise<Row> {
    const row = await this.db.selectFrom('experiments').selectAll().where('workspace_id', '=', wsId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`experiment '${id}' not found`);
    return row;
  }

  async get(wsId: number, nameOrId: string): Promise<Experiment> {
    return this.toExperiment(await this.getRow(wsId, nameOrId));
  }

  async list(wsId: number, q: { max_results?: number; page_token?: string; include_deleted?: boolean }): Promise<{ items: Experiment[]; next_page_token: string | null }> {
    const size = q.max_results ?? 100;
    const scope = `experiments:${wsId}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    let query = this.db.selectFrom('experiments').selectAll().where('workspace_id', '=', wsId);
    if (!q.include_deleted) query = query.where('lifecycle_stage', '=', 'active');
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(size).offset(offset).execute();
    return { items: await Promise.all(rows.map((r) => this.toExperiment(r))), next_page_token: nextToken(this.pages, scope, offset, rows.length, size) };
  }

  async rename(wsId: number, nameOrId: string, newName: string): Promise<Experiment> {
    this.validateName(newName);
    const row = await this.getRow(wsId, nameOrId);
    const clash = await this.db.selectFrom('experiments').select('id').where('workspace_id', '=', wsId).where('name', '=', newName).executeTakeFirst();
    if (clash && Number(clash.id) !== Number(row.id)) throw alreadyExists(`Experiment '${newName}' already exists.`);
    await this.db.updateTable('experiments').set({ name: newName, last_update_time: Date.now() }).where('id', '=', Number(row.id)).execute();
    return this.get(wsId, String(row.id));
  }

  /** Delete (or restore) an experiment and its runs: they are marked, not erased. */
  async setLifecycle(wsId: number, nameOrId: string, stage: 'active' | 'deleted'): Promise<void> {
    const row = await this.getRow(wsId, nameOrId);
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('experiments').set({ lifecycle_stage: stage, last_update_time: now }).where('id', '=', Number(row.id)).execute();
      await trx.updateTable('runs').set({ lifecycle_stage: stage, last_update_time: now }).where('experiment_id', '=', Number(row.id)).execute();
    });
  }

  async setTag(wsId: number, nameOrId: string, key: string, value: string): Promise<void> {
    const row = await this.getRow(wsId, nameOrId);
    await this.db.insertInto('experiment_tags').values({ experiment_id: Number(row.id), key, value })
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value })).execute();
  }

  /** MLflow's experiment search: filter on name, tags and times; order by name, times or id. */
  async search(wsId: number, q: { filter?: string | undefined; order_by?: string[] | undefined; view?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'; max_results?: number | undefined; page_token?: string | undefined }) {
    const size = q.max_results ?? 1000;
    const scope = `experiment-search:${wsId}:${JSON.stringify({ f: q.filter, o: q.order_by, v: q.view })}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    let query = this.db.selectFrom('experiments').selectAll().where('workspace_id', '=', wsId);
    if (q.view !== 'ALL') query = query.where('lifecycle_stage', '=', q.view === 'DELETED_ONLY' ? 'deleted' : 'active');
    for (const c of parseFilter(q.filter, EXPERIMENT_FILTER_ATTRIBUTES)) query = query.where((eb) => experimentCondition(eb, c));
    for (const o of q.order_by ?? ['last_update_time DESC']) {
      const m = /^\s*(?:attributes?\.)?(\w+)\s*(ASC|DESC)?\s*$/i.exec(o);
      const col = m ? EXPERIMENT_ORDER[m[1]!] : undefined;
      if (!col) throw invalid(`Invalid order_by clause '${o}'. Only name, creation_time, last_update_time and experiment_id are supported.`);
      query = query.orderBy(col, (m![2] ?? 'ASC').toUpperCase() === 'DESC' ? 'desc' : 'asc');
    }
    const rows = await query.orderBy('id', 'asc').limit(size).offset(offset).execute();
    return { items: await Promise.all(rows.map((r) => this.toExperiment(r))), next_page_token: nextToken(this.pages, scope, offset, rows.length, size) };
  }
}

function experimentCondition(eb: ExpressionBuilder<Database, 'experiments'>, c: FilterCondition): Expression<SqlBool> {
  const v = c.value as never;
  const cmp = (col: Expression<unknown>): Expression<SqlBool> => {
    const ref = col as never;
    switch (c.op) {
      case 'LIKE': return eb(ref, 'like', v);
      case 'ILIKE': return eb(eb.fn('lower', [ref]), 'like', String(c.value).toLowerCase() as never);
      case 'IN': return eb(ref, 'in', v);
      case 'NOT IN': return eb(ref, 'not in', v);
      case '!=': return eb(ref, '<>', v);
      default: return eb(ref, c.op as '=', v);
    }
  };
  if (c.entity === 'tag') {
    const sub = eb.selectFrom('experiment_tags').select('experiment_id').whereRef('experiment_tags.experiment_id', '=', 'experiments.id').where('experiment_tags.key', '=', c.key);
    if (c.op === 'IS NULL') return eb.not(eb.exists(sub));
    if (c.op === 'IS NOT NULL') return eb.exists(sub);
    return eb.exists(sub.where(() => cmp(eb.ref('experiment_tags.value' as never))));
  }
  if (c.entity !== 'attribute') throw invalid(`Invalid filter: experiments can be filtered by name, creation_time, last_update_time and tags, not ${c.entity}s`);
  const col = c.key === 'name' ? 'experiments.name' : c.key === 'creation_time' ? 'experiments.created_at' : 'experiments.last_update_time';
  return cmp(eb.ref(col as never));
}
