import { LatheError, MlflowRequests as M, notFound, type ModelVersion } from '@lathe/contract';
import type { ModelService } from '../models/model-service.js';
import type { RunService } from '../runs/run-service.js';
import { runChecker } from '../models/model-routes.js';
import { parseFilter } from '../search/search-filter.js';
import { mlflowRoute, type MlflowContext, type MlflowRoute } from './mlflow-route.js';
import { mlflowError } from './mlflow-error.js';
import { mlflowModelVersion, mlflowRegisteredModel, withToken } from './mlflow-shapes.js';

const MODEL_FILTER = { name: 'string' } as const;
const VERSION_FILTER = { name: 'string', run_id: 'string', source_path: 'string', version_number: 'number' } as const;

function modelOrder(orderBy: string[] | undefined): { field: 'name' | 'created_at' | 'updated_at'; desc: boolean } | undefined {
  const first = orderBy?.[0];
  if (!first) return undefined;
  const m = /^\s*(name|creation_timestamp|last_updated_timestamp|timestamp)\s*(ASC|DESC)?\s*$/i.exec(first);
  if (!m) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid order by key '${first}' specified. Valid keys are 'name', 'creation_timestamp', 'last_updated_timestamp'`);
  const field = m[1]!.toLowerCase() === 'name' ? 'name' : m[1]!.toLowerCase() === 'creation_timestamp' ? 'created_at' : 'updated_at';
  return { field, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
}

export function registryRoutes(d: { models: ModelService; runs: RunService }): MlflowRoute[] {
  const latestOf = (ctx: MlflowContext, name: string) => d.models.latestPerStage(ctx.ws, name, undefined);
  const model = async (ctx: MlflowContext, name: string) => mlflowRegisteredModel(await d.models.getModel(ctx.ws, name), await latestOf(ctx, name));

  return [
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/registered-models/create', access: 'write', runTokens: 'free', input: M.createRegisteredModel,
      handle: async (i, ctx) => {
        await d.models.createModel(ctx.ws, ctx.principal.userId, i.name, { description: i.description, tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])) });
        return { registered_model: await model(ctx, i.name) };
      },
    }),
    mlflowRoute({ methods: ['GET'], path: '/mlflow/registered-models/get', access: 'read', input: M.modelName, handle: async (i, ctx) => ({ registered_model: await model(ctx, i.name) }) }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/registered-models/rename', access: 'write', input: M.renameRegisteredModel,
      handle: async (i, ctx) => {
        await d.models.renameModel(ctx.ws, i.name, i.new_name);
        return { registered_model: await model(ctx, i.new_name) };
      },
    }),
    mlflowRoute({
      methods: ['PATCH'], path: '/mlflow/registered-models/update', access: 'write', input: M.updateRegisteredModel,
      handle: async (i, ctx) => {
        await d.models.updateModel(ctx.ws, i.name, i.description);
        return { registered_model: await model(ctx, i.name) };
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow/registered-models/delete', access: 'write', input: M.modelName,
      handle: async (i, ctx) => {
        await d.models.deleteModel(ctx.ws, i.name);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/registered-models/search', access: 'read', input: M.searchRegisteredModels,
      handle: async (i, ctx) => {
        const max = i.max_results ?? 100;
        if (max < 1 || max > 1000) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid value for request parameter max_results. It must be at most 1000, but got value ${max}`);
        let nameLike: string | undefined;
        const tags: string[] = [];
        for (const c of parseFilter(i.filter, MODEL_FILTER)) {
          if (c.entity === 'tag' && c.op === '=') tags.push(`${c.key}=${String(c.value)}`);
          else if (c.entity === 'attribute' && (c.op === '=' || c.op === 'LIKE' || c.op === 'ILIKE')) nameLike = String(c.value);
          else throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid filter '${i.filter}': registered models filter on name (=, LIKE, ILIKE) and tags (=)`);
        }
        const page = await d.models.listModels(ctx.ws, { nameLike, tag: tags, max_results: max, page_token: i.page_token, orderBy: modelOrder(i.order_by) });
        const out = [];
        for (const m of page.items) out.push(mlflowRegisteredModel(m, await latestOf(ctx, m.name)));
        return withToken({ registered_models: out }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['POST', 'GET'], path: '/mlflow/registered-models/get-latest-versions', access: 'read', input: M.getLatestVersions,
      handle: async (i, ctx) => ({ model_versions: (await d.models.latestPerStage(ctx.ws, i.name, i.stages)).map(mlflowModelVersion) }),
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/registered-models/set-tag', access: 'write', input: M.modelTag,
      handle: async (i, ctx) => {
        await d.models.setModelTag(ctx.ws, i.name, i.key, i.value);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow/registered-models/delete-tag', access: 'write', input: M.modelTagKey,
      handle: async (i, ctx) => {
        await d.models.deleteModelTag(ctx.ws, i.name, i.key);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/registered-models/alias', access: 'write', input: M.setAlias,
      handle: async (i, ctx) => {
        await d.models.setAlias(ctx.ws, i.name, i.alias, Number(i.version));
        return {};
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow/registered-models/alias', access: 'write', input: M.aliasRef,
      handle: async (i, ctx) => {
        await d.models.deleteAlias(ctx.ws, i.name, i.alias);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/registered-models/alias', access: 'read', input: M.aliasRef,
      handle: async (i, ctx) => ({ model_version: mlflowModelVersion(await d.models.getVersion(ctx.ws, i.name, `@${i.alias}`)) }),
    }),

    mlflowRoute({
      methods: ['POST'], path: '/mlflow/model-versions/create', access: 'write', runTokens: 'free', input: M.createModelVersion,
      handle: async (i, ctx) => {
        await d.models.modelRow(ctx.ws.id, i.name);
        const v = await d.models.createVersion(ctx.ws, ctx.principal.userId, i.name, {
          source: { kind: 'uri', uri: i.source }, run_id: i.run_id, description: i.description, tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])),
        }, runChecker(d.runs, ctx));
        return { model_version: mlflowModelVersion(v) };
      },
    }),
    mlflowRoute({ methods: ['GET'], path: '/mlflow/model-versions/get', access: 'read', input: M.versionRef, handle: async (i, ctx) => ({ model_version: mlflowModelVersion(await version(d.models, ctx, i.name, i.version)) }) }),
    mlflowRoute({
      methods: ['PATCH'], path: '/mlflow/model-versions/update', access: 'write', input: M.updateModelVersion,
      handle: async (i, ctx) => {
        await version(d.models, ctx, i.name, i.version);
        return { model_version: mlflowModelVersion(await d.models.updateVersion(ctx.ws, i.name, i.version, { description: i.description })) };
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow/model-versions/delete', access: 'write', input: M.versionRef,
      handle: async (i, ctx) => {
        await version(d.models, ctx, i.name, i.version);
        await d.models.deleteVersion(ctx.ws, i.name, i.version);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/model-versions/search', access: 'read', input: M.searchModelVersions,
      handle: async (i, ctx) => {
        const q: { name?: string; runId?: string; tag: string[] } = { tag: [] };
        for (const c of parseFilter(i.filter, VERSION_FILTER)) {
          if (c.op !== '=') throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid filter '${i.filter}': model versions filter with '=' on name, run_id and tags`);
          if (c.entity === 'tag') q.tag.push(`${c.key}=${String(c.value)}`);
          else if (c.key === 'name') q.name = String(c.value);
          else if (c.key === 'run_id') q.runId = String(c.value);
          else throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid filter '${i.filter}': '${c.key}' is not supported here`);
        }
        const page = await d.models.listVersions(ctx.ws, { ...q, include_archived: true, max_results: i.max_results ?? 10_000, page_token: i.page_token });
        return withToken({ model_versions: page.items.map(mlflowModelVersion) }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/model-versions/get-download-uri', access: 'read', input: M.versionRef,
      handle: async (i, ctx) => {
        const v = await version(d.models, ctx, i.name, i.version);
        return { artifact_uri: v.snapshot_id ? `mlflow-artifacts:/models/${encodeURIComponent(v.name)}/${v.version}` : v.source };
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/model-versions/transition-stage', access: 'write', input: M.transitionStage,
      handle: async (i, ctx) => {
        await version(d.models, ctx, i.name, i.version);
        return { model_version: mlflowModelVersion(await d.models.transitionStage(ctx.ws, i.name, i.version, i.stage, i.archive_existing_versions ?? false)) };
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/model-versions/set-tag', access: 'write', input: M.versionTag,
      handle: async (i, ctx) => {
        await version(d.models, ctx, i.name, i.version);
        await d.models.setVersionTag(ctx.ws, i.name, i.version, i.key, i.value);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow/model-versions/delete-tag', access: 'write', input: M.versionTagKey,
      handle: async (i, ctx) => {
        await version(d.models, ctx, i.name, i.version);
        await d.models.deleteVersionTag(ctx.ws, i.name, i.version, i.key);
        return {};
      },
    }),
  ];
}

/** A version by number only (MLflow has no `latest` here), with MLflow's messages. */
async function version(models: ModelService, ctx: MlflowContext, name: string, v: string): Promise<ModelVersion> {
  if (!/^\d+$/.test(v)) throw mlflowError('INVALID_PARAMETER_VALUE', `Model version must be an integer, got '${v}'`);
  try {
    return await models.getVersion(ctx.ws, name, v);
  } catch (err) {
    if (err instanceof LatheError && err.code === 'NOT_FOUND' && err.message.startsWith('Registered Model')) throw err;
    if (err instanceof LatheError && err.code === 'NOT_FOUND') throw notFound(`Model Version (name=${name}, version=${v}) not found`);
    throw err;
  }
}
