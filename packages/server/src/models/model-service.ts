import type { Selectable } from 'kysely';
import {
  alreadyExists, invalid, LatheError, MODEL_NAME_PATTERN, notFound, precondition,
  type CreateModelVersion, type MlModelInfo, type ModelVersion, type RegisteredModel,
} from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ModelVersionsTable, RegisteredModelsTable } from '../db/schema.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { parseRunSource } from './model-source.js';
import { parseMlModel } from './mlmodel.js';

type ModelRow = Selectable<RegisteredModelsTable>;
type VersionRow = Selectable<ModelVersionsTable>;

/**
 * Which live deployments use a model version. The endpoints area fills this in; until
 * then nothing is deployed and every version may be deleted.
 */
export type ModelUsage = (wsId: number, name: string, version: number) => Promise<string[]>;

const ALIAS_PATTERN = /^[\w-]+$/;

function tagFilters(tag: string | string[] | undefined): Array<[string, string | null]> {
  const list = tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];
  return list.map((t) => {
    const i = t.indexOf('=');
    return i < 0 ? [t, null] : [t.slice(0, i), t.slice(i + 1)];
  });
}

/** The model registry: named, versioned bundles of files with lineage to their runs. */
export class ModelService {
  constructor(
    private readonly db: Db,
    private readonly snapshots: SnapshotService,
    private readonly artifacts: ArtifactService,
    private readonly pages: PageTokens,
    private readonly usage: ModelUsage = async () => [],
  ) {}

  checkName(name: string): void {
    if (!name) throw invalid('Registered model name cannot be empty.');
    if (!MODEL_NAME_PATTERN.test(name)) throw invalid(`invalid model name '${name}': use letters, digits, '_', '.' and '-', starting with a letter or digit`);
  }

  async modelRow(wsId: number, name: string): Promise<ModelRow> {
    const row = await this.db.selectFrom('registered_models').selectAll().where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`Registered Model with name=${name} not found`);
    return row;
  }

  async createModel(ws: WorkspaceRef, userId: number, name: string, o: { description?: string | undefined; tags?: Record<string, string> } = {}): Promise<RegisteredModel> {
    this.checkName(name);
    const existing = await this.db.selectFrom('registered_models').select('id').where('workspace_id', '=', ws.id).where('name', '=', name).executeTakeFirst();
    if (existing) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
    await this.insertModel(ws.id, userId, name, o.description ?? null, o.tags ?? {});
    return this.getModel(ws, name);
  }

  private async insertModel(wsId: number, userId: number, name: string, description: string | null, tags: Record<string, string>): Promise<number> {
    const now = Date.now();
    const row = await this.db.insertInto('registered_models').values({ workspace_id: wsId, name, description, user_id: userId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    for (const [key, value] of Object.entries(tags)) await this.db.insertInto('registered_model_tags').values({ model_id: id, key, value }).execute();
    return id;
  }

  async getModel(ws: WorkspaceRef, name: string): Promise<RegisteredModel> {
    return (await this.toModels([await this.modelRow(ws.id, name)]))[0]!;
  }

  private async toModels(rows: ModelRow[]): Promise<RegisteredModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const [tags, aliases, stats, users] = await Promise.all([
      this.db.selectFrom('registered_model_tags').selectAll().where('model_id', 'in', ids).execute(),
      this.db.selectFrom('model_aliases').selectAll().where('model_id', 'in', ids).execute(),
      this.db.selectFrom('model_versions').select((eb) => ['model_id', eb.fn.max('version').as('latest'), eb.fn.countAll<number>().as('n')]).where('model_id', 'in', ids).groupBy('model_id').execute(),
      this.db.selectFrom('users').select(['id', 'name']).where('id', 'in', rows.map((r) => Number(r.user_id))).execute(),
    ]);
    return rows.map((r) => {
      const id = Number(r.id);
      const s = stats.find((x) => Number(x.model_id) === id);
      return {
        name: r.name,
        description: r.description,
        tags: Object.fromEntries(tags.filter((t) => Number(t.model_id) === id).map((t) => [t.key, t.value])),
        aliases: Object.fromEntries(aliases.filter((a) => Number(a.model_id) === id).map((a) => [a.alias, a.version])),
        latest_version: s ? Number(s.latest) : null,
        version_count: s ? Number(s.n) : 0,
        user: users.find((u) => Number(u.id) === Number(r.user_id))?.name ?? '',
        created_at: Number(r.created_at),
        updated_at: Number(r.updated_at),
      };
    });
  }

  async listModels(ws: WorkspaceRef, q: { name?: string | undefined; tag?: string | string[] | undefined; nameLike?: string | undefined; max_results?: number | undefined; page_token?: string | undefined; orderBy?: { field: 'name' | 'created_at' | 'updated_at'; desc: boolean } | undefined }) {
    const size = q.max_results ?? 100;
    const scope = `models:${ws.id}:${JSON.stringify({ ...q, page_token: undefined, max_results: undefined })}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    let query = this.db.selectFrom('registered_models').selectAll().where('workspace_id', '=', ws.id);
    if (q.name) query = query.where('name', 'like', `%${q.name.replace(/[%_]/g, '')}%`);
    if (q.nameLike !== undefined) query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', q.nameLike!.toLowerCase()));
    for (const [key, value] of tagFilters(q.tag)) {
      // Azure ML tags versions, MLflow tags models: a model matches on either.
      query = query.where((eb) => eb.or([
        eb.exists(eb.selectFrom('registered_model_tags').select('model_id').whereRef('registered_model_tags.model_id', '=', 'registered_models.id').where('key', '=', key).$if(value !== null, (s) => s.where('value', '=', value!))),
        eb.exists(eb.selectFrom('model_version_tags').select('model_id').whereRef('model_version_tags.model_id', '=', 'registered_models.id').where('key', '=', key).$if(value !== null, (s) => s.where('value', '=', value!))),
      ]));
    }
    const order = q.orderBy ?? { field: 'name', desc: false };
    const rows = await query.orderBy(order.field, order.desc ? 'desc' : 'asc').orderBy('id').limit(size).offset(offset).execute();
    return { items: await this.toModels(rows), next_page_token: nextToken(this.pages, scope, offset, rows.length, size) };
  }

  async renameModel(ws: WorkspaceRef, name: string, newName: string): Promise<RegisteredModel> {
    this.checkName(newName);
    const row = await this.modelRow(ws.id, name);
    const clash = await this.db.selectFrom('registered_models').select('id').where('workspace_id', '=', ws.id).where('name', '=', newName).executeTakeFirst();
    if (clash) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
    await this.db.updateTable('registered_models').set({ name: newName, updated_at: Date.now() }).where('id', '=', Number(row.id)).execute();
    return this.getModel(ws, newName);
  }

  async updateModel(ws: WorkspaceRef, name: string, description: string | undefined): Promise<RegisteredModel> {
    const row = await this.modelRow(ws.id, name);
    if (description !== undefined) await this.db.updateTable('registered_models').set({ description, updated_at: Date.now() }).where('id', '=', Number(row.id)).execute();
    return this.getModel(ws, name);
  }

  async deleteModel(ws: WorkspaceRef, name: string): Promise<void> {
    const row = await this.modelRow(ws.id, name);
    const id = Number(row.id);
    const versions = await this.db.selectFrom('model_versions').select('version').where('model_id', '=', id).execute();
    for (const v of versions) await this.refuseIfDeployed(ws.id, name, v.version);
    await this.db.transaction().execute(async (trx) => {
      for (const t of ['model_version_tags', 'model_versions', 'model_aliases', 'registered_model_tags'] as const) await trx.deleteFrom(t).where('model_id', '=', id).execute();
      await trx.deleteFrom('registered_models').where('id', '=', id).execute();
    });
  }

  async setModelTag(ws: WorkspaceRef, name: string, key: string, value: string): Promise<void> {
    const id = Number((await this.modelRow(ws.id, name)).id);
    await this.db.insertInto('registered_model_tags').values({ model_id: id, key, value }).onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value })).execute();
  }

  async deleteModelTag(ws: WorkspaceRef, name: string, key: string): Promise<void> {
    const id = Number((await this.modelRow(ws.id, name)).id);
    await this.db.deleteFrom('registered_model_tags').where('model_id', '=', id).where('key', '=', key).execute();
  }

  /** MLflow's alias rules: letters, digits, _ and -; not `latest`; not `v<digits>`. */
  checkAlias(alias: string): void {
    if (!alias) throw invalid('Registered model alias name cannot be empty.');
    if (!ALIAS_PATTERN.test(alias)) throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
    if (alias.length > 255) throw invalid(`Registered model alias name '${alias}' had length ${alias.length}, which exceeded length limit of 255`);
    if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
    if (/^[vV]\d+$/.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
  }

  async setAlias(ws: WorkspaceRef, name: string, alias: string, version: number): Promise<void> {
    this.checkAlias(alias);
    const row = await this.versionRow(ws.id, name, String(version));
    await this.db.insertInto('model_aliases').values({ model_id: row.model_id, alias, version: row.version })
      .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version: row.version })).execute();
  }

  async deleteAlias(ws: WorkspaceRef, name: string, alias: string): Promise<void> {
    const id = Number((await this.modelRow(ws.id, name)).id);
    await this.db.deleteFrom('model_aliases').where('model_id', '=', id).where('alias', '=', alias).execute();
  }

  /** A version by number, `latest` (highest not archived), or `@alias`. */
  async versionRow(wsId: number, name: string, ref: string): Promise<VersionRow> {
    const model = await this.modelRow(wsId, name);
    const id = Number(model.id);
    let version: number | undefined;
    if (ref === 'latest') {
      const row = await this.db.selectFrom('model_versions').select('version').where('model_id', '=', id).where('archived', '=', 0).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (!row) throw notFound(`model '${name}' has no versions`);
      version = row.version;
    } else if (ref.startsWith('@')) {
      const row = await this.db.selectFrom('model_aliases').select('version').where('model_id', '=', id).where('alias', '=', ref.slice(1)).executeTakeFirst();
      if (!row) throw notFound(`Registered model alias ${ref.slice(1)} not found.`);
      version = row.version;
    } else {
      if (!/^\d+$/.test(ref)) throw invalid(`Model version must be an integer, got '${ref}'`);
      version = Number(ref);
    }
    const row = await this.db.selectFrom('model_versions').selectAll().where('model_id', '=', id).where('version', '=', version).executeTakeFirst();
    if (!row) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return row;
  }

  async getVersion(ws: WorkspaceRef, name: string, ref: string): Promise<ModelVersion> {
    return (await this.toVersions(ws.id, [await this.versionRow(ws.id, name, ref)]))[0]!;
  }

  async toVersions(wsId: number, rows: VersionRow[]): Promise<ModelVersion[]> {
    if (rows.length === 0) return [];
    const modelIds = [...new Set(rows.map((r) => Number(r.model_id)))];
    const [models, tags, aliases, users, snaps] = await Promise.all([
      this.db.selectFrom('registered_models').select(['id', 'name']).where('id', 'in', modelIds).execute(),
      this.db.selectFrom('model_version_tags').selectAll().where('model_id', 'in', modelIds).execute(),
      this.db.selectFrom('model_aliases').selectAll().where('model_id', 'in', modelIds).execute(),
      this.db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...new Set(rows.map((r) => Number(r.user_id)))]).execute(),
      this.db.selectFrom('snapshots').select(['id', 'file_count', 'total_bytes']).where('workspace_id', '=', wsId).where('id', 'in', rows.map((r) => r.snapshot_id ?? '')).execute(),
    ]);
    return rows.map((r) => {
      const mid = Number(r.model_id);
      const snap = snaps.find((s) => s.id === r.snapshot_id);
      return {
        name: models.find((m) => Number(m.id) === mid)?.name ?? '',
        version: r.version,
        type: r.type as ModelVersion['type'],
        description: r.description,
        tags: Object.fromEntries(tags.filter((t) => Number(t.model_id) === mid && t.version === r.version).map((t) => [t.key, t.value])),
        properties: JSON.parse(r.properties) as Record<string, string>,
        stage: r.stage as ModelVersion['stage'],
        archived: r.archived === 1,
        aliases: aliases.filter((a) => Number(a.model_id) === mid && a.version === r.version).map((a) => a.alias).sort(),
        source: r.source,
        run_id: r.run_id,
        status: r.status as ModelVersion['status'],
        status_message: r.status_message,
        snapshot_id: r.snapshot_id,
        file_count: snap ? snap.file_count : 0,
        total_bytes: snap ? Number(snap.total_bytes) : 0,
        mlmodel: r.mlmodel ? (JSON.parse(r.mlmodel) as MlModelInfo) : null,
        user: users.find((u) => Number(u.id) === Number(r.user_id))?.name ?? '',
        created_at: Number(r.created_at),
        updated_at: Number(r.updated_at),
      };
    });
  }

  /** Copy a run's artifacts under a prefix (a folder, or one file) into a content-addressed snapshot. */
  private async snapshotFromRun(ws: WorkspaceRef, runId: string, prefix: string): Promise<string> {
    // Each entry: where it lands in the model (path) and which artifact it is (from).
    const files: Array<{ path: string; from: string; sha256: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.artifacts.list(runId, { prefix: prefix ? `${prefix}/` : undefined, max_results: 1000, page_token: token });
      for (const a of page.items) files.push({ path: prefix ? a.path.slice(prefix.length + 1) : a.path, from: a.path, sha256: a.sha256, size: a.size });
      token = page.next_page_token ?? undefined;
    } while (token);
    if (files.length === 0 && prefix) {
      const exact = (await this.artifacts.list(runId, { prefix, max_results: 10 })).items.find((a) => a.path === prefix);
      if (exact) files.push({ path: prefix.split('/').pop()!, from: prefix, sha256: exact.sha256, size: exact.size });
    }
    if (files.length === 0) throw invalid(`run '${runId}' has no artifacts at '${prefix || '/'}'`);
    const missing = new Set(await this.snapshots.missing(ws.id, files.map((f) => f.sha256)));
    for (const f of files) {
      if (!missing.delete(f.sha256)) continue;
      const { stream } = await this.artifacts.download(runId, f.from);
      await this.snapshots.uploadBlob(ws.id, f.sha256, stream);
    }
    return (await this.snapshots.create(ws.id, files.map(({ path, sha256, size }) => ({ path, sha256, size })))).id;
  }

  private async readMlModel(wsId: number, snapshotId: string): Promise<MlModelInfo | null> {
    const snap = await this.snapshots.get(wsId, snapshotId);
    const file = snap.files.find((f) => f.path === 'MLmodel');
    if (!file) return null;
    const chunks: Buffer[] = [];
    for await (const c of await this.snapshots.downloadBlob(wsId, file.sha256)) chunks.push(c as Buffer);
    try {
      return parseMlModel(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw invalid(`the model's MLmodel file is not valid YAML: ${(err as Error).message}`);
    }
  }

  /**
   * Register a version. The model is created on first use; versions auto-increment.
   * Files from a run are copied into the registry, so the version outlives the run's files.
   */
  async createVersion(ws: WorkspaceRef, userId: number, name: string, input: CreateModelVersion, checkRun: (runId: string) => Promise<void>): Promise<ModelVersion> {
    this.checkName(name);
    let snapshotId: string | null = null;
    let runId = input.run_id ?? null;
    let source: string;
    if (input.source.kind === 'snapshot') {
      await this.snapshots.get(ws.id, input.source.snapshot_id);
      snapshotId = input.source.snapshot_id;
      source = input.source.path;
    } else {
      source = input.source.uri;
      const fromRun = parseRunSource(source);
      if (fromRun) {
        await checkRun(fromRun.runId);
        runId = fromRun.runId;
        snapshotId = await this.snapshotFromRun(ws, fromRun.runId, fromRun.path);
      }
    }
    if (runId) await checkRun(runId);
    const mlmodel = snapshotId ? await this.readMlModel(ws.id, snapshotId) : null;
    const type = input.type ?? (mlmodel ? 'mlflow_model' : 'custom_model');
    if (type === 'mlflow_model' && snapshotId && !mlmodel) throw invalid(`an mlflow_model needs an MLmodel file at the top of its folder; ${source} has none`);

    let model = await this.db.selectFrom('registered_models').select('id').where('workspace_id', '=', ws.id).where('name', '=', name).executeTakeFirst();
    const modelId = model ? Number(model.id) : await this.insertModel(ws.id, userId, name, null, {}).catch(async () => {
      model = await this.db.selectFrom('registered_models').select('id').where('workspace_id', '=', ws.id).where('name', '=', name).executeTakeFirstOrThrow();
      return Number(model.id);
    });
    const now = Date.now();
    const version = await this.db.transaction().execute(async (trx) => {
      const max = await trx.selectFrom('model_versions').select((eb) => eb.fn.max('version').as('v')).where('model_id', '=', modelId).executeTakeFirst();
      const next = input.version ?? (Number(max?.v ?? 0) + 1);
      const clash = await trx.selectFrom('model_versions').select('version').where('model_id', '=', modelId).where('version', '=', next).executeTakeFirst();
      if (clash) throw alreadyExists(`model '${name}' already has version ${next}`);
      await trx.insertInto('model_versions').values({
        model_id: modelId, version: next, type, description: input.description ?? null, source, run_id: runId, run_link: null,
        status: 'READY', status_message: null, stage: input.stage ?? 'None', archived: 0, snapshot_id: snapshotId,
        properties: JSON.stringify(input.properties ?? {}), mlmodel: mlmodel ? JSON.stringify(mlmodel) : null, user_id: userId, created_at: now, updated_at: now,
      }).execute();
      for (const [key, value] of Object.entries(input.tags ?? {})) await trx.insertInto('model_version_tags').values({ model_id: modelId, version: next, key, value }).execute();
      await trx.updateTable('registered_models').set({ updated_at: now }).where('id', '=', modelId).execute();
      return next;
    });
    return this.getVersion(ws, name, String(version));
  }

  async listVersions(ws: WorkspaceRef, q: { name?: string | undefined; runId?: string | undefined; tag?: string | string[] | undefined; include_archived?: boolean | undefined; max_results?: number | undefined; page_token?: string | undefined }) {
    const size = q.max_results ?? 100;
    const scope = `versions:${ws.id}:${JSON.stringify({ ...q, page_token: undefined, max_results: undefined })}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    let query = this.db.selectFrom('model_versions').innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
      .selectAll('model_versions').where('registered_models.workspace_id', '=', ws.id);
    if (q.name !== undefined) query = query.where('registered_models.name', '=', q.name);
    if (q.runId !== undefined) query = query.where('model_versions.run_id', '=', q.runId);
    if (!q.include_archived) query = query.where('model_versions.archived', '=', 0);
    for (const [key, value] of tagFilters(q.tag)) {
      query = query.where((eb) => eb.exists(eb.selectFrom('model_version_tags').select('model_version_tags.model_id')
        .whereRef('model_version_tags.model_id', '=', 'model_versions.model_id').whereRef('model_version_tags.version', '=', 'model_versions.version')
        .where('model_version_tags.key', '=', key).$if(value !== null, (s) => s.where('model_version_tags.value', '=', value!))));
    }
    const rows = await query.orderBy('registered_models.name').orderBy('model_versions.version', 'desc').limit(size).offset(offset).execute();
    return { items: await this.toVersions(ws.id, rows), next_page_token: nextToken(this.pages, scope, offset, rows.length, size) };
  }

  async updateVersion(ws: WorkspaceRef, name: string, ref: string, patch: { description?: string | undefined; tags?: Record<string, string> | undefined; stage?: string | undefined; archived?: boolean | undefined }): Promise<ModelVersion> {
    const row = await this.versionRow(ws.id, name, ref);
    const set: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.stage !== undefined) set.stage = patch.stage;
    if (patch.archived !== undefined) set.archived = patch.archived ? 1 : 0;
    await this.db.updateTable('model_versions').set(set).where('model_id', '=', row.model_id).where('version', '=', row.version).execute();
    for (const [key, value] of Object.entries(patch.tags ?? {})) await this.setVersionTag(ws, name, String(row.version), key, value);
    return this.getVersion(ws, name, String(row.version));
  }

  /** MLflow's stage transition; optionally archives the other versions in that stage. */
  async transitionStage(ws: WorkspaceRef, name: string, ref: string, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    const canonical = ['None', 'Staging', 'Production', 'Archived'].find((s) => s.toLowerCase() === stage.toLowerCase());
    if (!canonical) throw invalid(`Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`);
    const row = await this.versionRow(ws.id, name, ref);
    const now = Date.now();
    if (archiveExisting && (canonical === 'Staging' || canonical === 'Production')) {
      await this.db.updateTable('model_versions').set({ stage: 'Archived', updated_at: now }).where('model_id', '=', row.model_id).where('stage', '=', canonical).where('version', '!=', row.version).execute();
    }
    await this.db.updateTable('model_versions').set({ stage: canonical, updated_at: now }).where('model_id', '=', row.model_id).where('version', '=', row.version).execute();
    return this.getVersion(ws, name, String(row.version));
  }

  private async refuseIfDeployed(wsId: number, name: string, version: number): Promise<void> {
    const users = await this.usage(wsId, name, version);
    if (users.length > 0) {
      throw precondition(`model ${name} version ${version} is used by live deployment(s) ${users.join(', ')}; delete or update those deployments first`, { deployments: users });
    }
  }

  async deleteVersion(ws: WorkspaceRef, name: string, ref: string): Promise<void> {
    const row = await this.versionRow(ws.id, name, ref);
    await this.refuseIfDeployed(ws.id, name, row.version);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('model_version_tags').where('model_id', '=', row.model_id).where('version', '=', row.version).execute();
      await trx.deleteFrom('model_aliases').where('model_id', '=', row.model_id).where('version', '=', row.version).execute();
      await trx.deleteFrom('model_versions').where('model_id', '=', row.model_id).where('version', '=', row.version).execute();
    });
  }

  async setVersionTag(ws: WorkspaceRef, name: string, ref: string, key: string, value: string): Promise<void> {
    const row = await this.versionRow(ws.id, name, ref);
    await this.db.insertInto('model_version_tags').values({ model_id: row.model_id, version: row.version, key, value })
      .onConflict((oc) => oc.columns(['model_id', 'version', 'key']).doUpdateSet({ value })).execute();
  }

  async deleteVersionTag(ws: WorkspaceRef, name: string, ref: string, key: string): Promise<void> {
    const row = await this.versionRow(ws.id, name, ref);
    await this.db.deleteFrom('model_version_tags').where('model_id', '=', row.model_id).where('version', '=', row.version).where('key', '=', key).execute();
  }

  /** The latest version of each stage (MLflow's get-latest-versions). */
  async latestPerStage(ws: WorkspaceRef, name: string, stages: string[] | undefined): Promise<ModelVersion[]> {
    const model = await this.modelRow(ws.id, name);
    const rows = await this.db.selectFrom('model_versions').selectAll().where('model_id', '=', Number(model.id)).orderBy('version', 'desc').execute();
    const wanted = stages?.length ? stages.map((s) => s.toLowerCase()) : undefined;
    const seen = new Set<string>();
    const picked = rows.filter((r) => {
      if (wanted && !wanted.includes(r.stage.toLowerCase())) return false;
      if (seen.has(r.stage)) return false;
      seen.add(r.stage);
      return true;
    });
    return this.toVersions(ws.id, picked);
  }

  async snapshotOf(ws: WorkspaceRef, name: string, ref: string) {
    const row = await this.versionRow(ws.id, name, ref);
    if (!row.snapshot_id) throw new LatheError('FAILED_PRECONDITION', `model ${name} version ${row.version} has no files in the registry (its source ${row.source} is outside Lathe)`);
    return this.snapshots.get(ws.id, row.snapshot_id);
  }
}
