import { alreadyExists, invalid, notFound, type Experiment } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ExperimentsTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';

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
}
