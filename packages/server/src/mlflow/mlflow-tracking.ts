import { LatheError, MlflowRequests as M, notFound, RUN_STATUS_BY_MLFLOW_STATUS, type LogBatch, type Run } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { RunService } from '../runs/run-service.js';
import type { MetricService } from '../metrics/metric-service.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import { mlflowRoute, type MlflowContext, type MlflowRoute } from './mlflow-route.js';
import { mlflowError } from './mlflow-error.js';
import { DEFAULT_EXPERIMENT, mlflowExperiment, mlflowRun, mlflowRunInfo, withToken, type DatasetInput } from './mlflow-shapes.js';
import { checkBatchLimits, checkEntityKey } from './mlflow-limits.js';

export interface TrackingDeps {
  db: Db;
  experiments: ExperimentService;
  runs: RunService;
  metrics: MetricService;
  artifacts: ArtifactService;
}

const required = (name: string, v: string | undefined): string => {
  if (!v) throw mlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  return v;
};

export function trackingRoutes(d: TrackingDeps): MlflowRoute[] {
  /** MLflow's "0" is the workspace's Default experiment, made on first use. */
  const experimentRow = async (ws: WorkspaceRef, id: string) => {
    if (id === '0') return d.experiments.getRow(ws.id, (await d.experiments.getOrCreate(ws.id, DEFAULT_EXPERIMENT)).name);
    if (!/^\d+$/.test(id)) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid experiment ID: '${id}'`);
    try {
      return await d.experiments.getRowById(ws.id, Number(id));
    } catch {
      throw notFound(`No Experiment with id=${id} exists`);
    }
  };
  const run = async (ctx: MlflowContext, input: { run_id?: string | undefined; run_uuid?: string | undefined }): Promise<Run> => {
    const id = required('run_id', input.run_id ?? input.run_uuid);
    try {
      return await d.runs.get(ctx.ws, id);
    } catch (err) {
      if (err instanceof LatheError && err.code === 'NOT_FOUND') throw notFound(`Run with id=${id} not found`);
      throw err;
    }
  };
  const inputsOf = async (runId: string): Promise<DatasetInput[]> => {
    const rows = await d.db.selectFrom('run_inputs').selectAll().where('run_id', '=', runId).execute();
    return rows.map((r) => ({ dataset: JSON.parse(r.dataset) as Record<string, string>, tags: JSON.parse(r.tags) as DatasetInput['tags'] }));
  };
  /** Writes need only the run's row (one query), not the whole record. */
  const runRow = async (ctx: MlflowContext, input: { run_id?: string | undefined; run_uuid?: string | undefined }) => {
    const id = required('run_id', input.run_id ?? input.run_uuid);
    return d.runs.row(ctx.ws.id, id).catch((err: unknown) => {
      if (err instanceof LatheError && err.code === 'NOT_FOUND') throw notFound(`Run with id=${id} not found`);
      throw err;
    });
  };
  const activeRun = async (ctx: MlflowContext, input: { run_id?: string | undefined; run_uuid?: string | undefined }): Promise<{ id: string; job: string | null }> => {
    const r = await runRow(ctx, input);
    if (r.lifecycle_stage !== 'active') throw mlflowError('INVALID_STATE', `The run ${r.id} must be in the 'active' state. Current state is ${r.lifecycle_stage}.`);
    return r;
  };
  /** The one write path for metrics, params and tags, with MLflow's messages for a changed param. */
  const logBatch = async (r: { id: string }, batch: LogBatch) => {
    try {
      await d.metrics.logBatch(r.id, batch);
    } catch (err) {
      const det = err instanceof LatheError ? (err.details as { key?: string; old_value?: string; new_value?: string } | undefined) : undefined;
      if (det?.key !== undefined && det.old_value !== undefined) {
        throw mlflowError('INVALID_PARAMETER_VALUE', `Changing param values is not allowed. Param with key='${det.key}' was already logged with value='${det.old_value}' for run ID='${r.id}'. Attempted logging new value '${det.new_value}'.`);
      }
      throw err;
    }
  };

  return [
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/experiments/create', access: 'write', input: M.createExperiment,
      handle: async (i, ctx) => {
        if (!i.name) throw mlflowError('INVALID_PARAMETER_VALUE', "Invalid experiment name: ''");
        try {
          const e = await d.experiments.create(ctx.ws.id, i.name, Object.fromEntries(i.tags.map((t) => [t.key, t.value])));
          return { experiment_id: mlflowExperiment(e).experiment_id };
        } catch (err) {
          if (err instanceof LatheError && err.code === 'ALREADY_EXISTS') throw mlflowError('RESOURCE_ALREADY_EXISTS', `Experiment '${i.name}' already exists.`);
          throw err;
        }
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/experiments/get', access: 'read', input: M.experimentId,
      handle: async (i, ctx) => ({ experiment: mlflowExperiment(await d.experiments.get(ctx.ws.id, String((await experimentRow(ctx.ws, i.experiment_id)).id))) }),
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/experiments/get-by-name', access: 'read', input: M.experimentByName,
      handle: async (i, ctx) => {
        const row = await d.experiments.getRow(ctx.ws.id, i.experiment_name).catch(() => undefined);
        if (!row || row.name !== i.experiment_name) throw notFound(`Could not find experiment with name '${i.experiment_name}'`);
        return { experiment: mlflowExperiment(await d.experiments.get(ctx.ws.id, String(row.id))) };
      },
    }),
    mlflowRoute({
      methods: ['POST', 'GET'], path: '/mlflow/experiments/search', access: 'read', input: M.searchExperiments,
      handle: async (i, ctx) => {
        if (i.max_results !== undefined && (i.max_results < 1 || i.max_results > 50_000)) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid value ${i.max_results} for parameter 'max_results' supplied. It must be at most 50000`);
        const page = await d.experiments.search(ctx.ws.id, { filter: i.filter, order_by: i.order_by, view: i.view_type ?? 'ACTIVE_ONLY', max_results: i.max_results, page_token: i.page_token });
        return withToken({ experiments: page.items.map(mlflowExperiment) }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/experiments/list', access: 'read', input: M.listExperiments,
      handle: async (i, ctx) => {
        const page = await d.experiments.search(ctx.ws.id, { view: i.view_type ?? 'ACTIVE_ONLY', max_results: i.max_results, page_token: i.page_token });
        return withToken({ experiments: page.items.map(mlflowExperiment) }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/experiments/update', access: 'write', input: M.updateExperiment,
      handle: async (i, ctx) => {
        await d.experiments.rename(ctx.ws.id, String((await experimentRow(ctx.ws, i.experiment_id)).id), i.new_name);
        return {};
      },
    }),
    ...(['delete', 'restore'] as const).map((op) => mlflowRoute({
      methods: ['POST'], path: `/mlflow/experiments/${op}`, access: 'write', input: M.experimentId,
      handle: async (i, ctx) => {
        await d.experiments.setLifecycle(ctx.ws.id, String((await experimentRow(ctx.ws, i.experiment_id)).id), op === 'delete' ? 'deleted' : 'active');
        return {};
      },
    })),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/experiments/set-experiment-tag', access: 'write', input: M.setExperimentTag,
      handle: async (i, ctx) => {
        checkEntityKey('Tag', i.key);
        await d.experiments.setTag(ctx.ws.id, String((await experimentRow(ctx.ws, i.experiment_id)).id), i.key, i.value);
        return {};
      },
    }),

    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/create', access: 'write', runTokens: 'parent', input: M.createRun,
      handle: async (i, ctx) => {
        const exp = await experimentRow(ctx.ws, i.experiment_id ?? '0');
        if (exp.lifecycle_stage !== 'active') throw mlflowError('INVALID_STATE', `The experiment ${i.experiment_id} must be in the 'active' state. Current state is deleted.`);
        const tags = Object.fromEntries(i.tags.map((t) => [t.key, t.value]));
        for (const k of Object.keys(tags)) checkEntityKey('Tag', k);
        const runName = i.run_name ?? tags['mlflow.runName'];
        const created = await d.runs.createTracking(ctx.ws, ctx.principal.userId, {
          display_name: runName,
          parent_run_id: tags['mlflow.parentRunId'],
          tags,
          start_time: i.start_time,
        }, { experimentId: Number(exp.id), generatedId: crypto.randomUUID().replace(/-/g, '') });
        return { run: mlflowRun(created) };
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/runs/get', access: 'read', input: M.runRef,
      handle: async (i, ctx) => {
        const r = await run(ctx, i);
        return { run: mlflowRun(r, await inputsOf(r.id)) };
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/update', access: 'write', runTokens: 'input', input: M.updateRun,
      handle: async (i, ctx) => {
        const r = await runRow(ctx, i);
        if (i.run_name !== undefined) await d.runs.update(ctx.ws, r.id, { display_name: i.run_name });
        // A job's status belongs to its agent: a script's mlflow.end_run() does not end the job.
        if (i.status !== undefined && r.job === null) {
          const status = RUN_STATUS_BY_MLFLOW_STATUS[i.status];
          if (status !== r.status) await d.runs.transition(r, { status, at: i.end_time });
        }
        return { run_info: mlflowRunInfo(await d.runs.get(ctx.ws, r.id, { params: false, tags: false, metrics: false })) };
      },
    }),
    ...(['delete', 'restore'] as const).map((op) => mlflowRoute({
      methods: ['POST'], path: `/mlflow/runs/${op}`, access: 'write', input: M.runRef, runTokens: 'input',
      handle: async (i, ctx) => {
        await d.runs.setLifecycle(ctx.ws, (await run(ctx, i)).id, op === 'delete' ? 'deleted' : 'active');
        return {};
      },
    })),
    mlflowRoute({
      methods: ['POST', 'GET'], path: '/mlflow/runs/search', access: 'read', input: M.searchRuns,
      handle: async (i, ctx) => {
        const max = i.max_results ?? 1000;
        if (max < 1 || max > 50_000) throw mlflowError('INVALID_PARAMETER_VALUE', `Invalid value ${max} for parameter 'max_results' supplied. It must be at most 50000`);
        const ids: number[] = [];
        for (const e of i.experiment_ids) ids.push(Number((await experimentRow(ctx.ws, e)).id));
        const view = i.run_view_type ?? 'ACTIVE_ONLY';
        const page = await d.runs.search(ctx.ws, {
          experimentIds: ids, filter: i.filter, orderBy: i.order_by, max_results: max, page_token: i.page_token,
          lifecycle: view === 'ALL' ? 'all' : view === 'DELETED_ONLY' ? 'deleted' : 'active',
        });
        return withToken({ runs: page.items.map((r) => mlflowRun(r)) }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/log-metric', access: 'write', runTokens: 'input', input: M.logMetric,
      handle: async (i, ctx) => {
        checkEntityKey('Metric', i.key);
        const value = typeof i.value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(i.value) ? i.value : NaN;
        if (Number.isNaN(value) && i.value !== 'NaN') throw mlflowError('INVALID_PARAMETER_VALUE', `Got invalid value ${i.value} for metric '${i.key}' (timestamp=${i.timestamp}). Please specify value as a valid double (64-bit floating point)`);
        await logBatch((await activeRun(ctx, i)), { metrics: [{ key: i.key, value: value as number, step: i.step ?? 0, timestamp: i.timestamp ?? Date.now() }], params: [], tags: [] });
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/log-parameter', access: 'write', runTokens: 'input', input: M.logParam,
      handle: async (i, ctx) => {
        checkBatchLimits([], [{ key: i.key, value: i.value }], []);
        await logBatch((await activeRun(ctx, i)), { metrics: [], params: [{ key: i.key, value: i.value }], tags: [] });
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/set-tag', access: 'write', runTokens: 'input', input: M.setTag,
      handle: async (i, ctx) => {
        checkBatchLimits([], [], [{ key: i.key, value: i.value }]);
        const r = (await activeRun(ctx, i));
        // MLflow renames a run by setting this tag.
        if (i.key === 'mlflow.runName') await d.runs.update(ctx.ws, r.id, { display_name: i.value });
        await logBatch(r, { metrics: [], params: [], tags: [{ key: i.key, value: i.value }] });
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/delete-tag', access: 'write', runTokens: 'input', input: M.deleteTag,
      handle: async (i, ctx) => {
        await d.metrics.deleteTag((await activeRun(ctx, i)).id, i.key);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/log-batch', access: 'write', runTokens: 'input', input: M.logBatch,
      handle: async (i, ctx) => {
        const size = Number(ctx.request.headers['content-length'] ?? 0);
        if (size > 1_000_000) throw mlflowError('INVALID_PARAMETER_VALUE', `Batched logging API requests must be at most 1000000 bytes, got a request of size ${size}.`);
        checkBatchLimits(i.metrics, i.params, i.tags);
        const r = (await activeRun(ctx, i));
        const metrics = i.metrics.map((m) => {
          if (typeof m.value !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(m.value)) {
            throw mlflowError('INVALID_PARAMETER_VALUE', `Got invalid value ${m.value} for metric '${m.key}' (timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`);
          }
          return { key: m.key, value: m.value as number, step: m.step ?? 0, timestamp: m.timestamp ?? Date.now() };
        });
        const runName = i.tags.find((t) => t.key === 'mlflow.runName');
        if (runName) await d.runs.update(ctx.ws, r.id, { display_name: runName.value });
        await logBatch(r, { metrics, params: i.params, tags: i.tags });
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/log-inputs', access: 'write', runTokens: 'input', input: M.logInputs,
      handle: async (i, ctx) => {
        const r = (await activeRun(ctx, i));
        for (const input of i.datasets) {
          await d.db.insertInto('run_inputs').values({ run_id: r.id, name: input.dataset.name, digest: input.dataset.digest, dataset: JSON.stringify(input.dataset), tags: JSON.stringify(input.tags) })
            .onConflict((oc) => oc.columns(['run_id', 'name', 'digest']).doUpdateSet({ dataset: JSON.stringify(input.dataset), tags: JSON.stringify(input.tags) })).execute();
        }
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow/runs/log-model', access: 'write', runTokens: 'input', input: M.logModel,
      handle: async (i, ctx) => {
        let model: unknown;
        try {
          model = JSON.parse(i.model_json);
        } catch {
          throw mlflowError('INVALID_PARAMETER_VALUE', `Malformed model info. \n ${i.model_json} \n is not a valid JSON.`);
        }
        const r = await run(ctx, i);
        await activeRun(ctx, i);
        // As MLflow does: the history of logged models lives in a tag.
        const history = JSON.parse(r.tags['mlflow.log-model.history'] ?? '[]') as unknown[];
        history.push(model);
        await logBatch(r, { metrics: [], params: [], tags: [{ key: 'mlflow.log-model.history', value: JSON.stringify(history) }] });
        return {};
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/metrics/get-history', access: 'read', input: M.getHistory,
      handle: async (i, ctx) => {
        const r = await run(ctx, i);
        const page = await d.metrics.history(r.id, i.metric_key, { max_results: i.max_results, page_token: i.page_token });
        return withToken({ metrics: page.points.map((p) => ({ key: i.metric_key, value: p.value, timestamp: p.timestamp, step: p.step })) }, page.next_page_token);
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/metrics/get-history-bulk-interval', access: 'read', input: M.getHistoryBulkInterval,
      handle: async (i, ctx) => {
        if (i.run_ids.length === 0) throw mlflowError('INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulkInterval request must specify at least one run_id.');
        if (i.run_ids.length > 100) throw mlflowError('INVALID_PARAMETER_VALUE', `GetMetricHistoryBulkInterval request cannot specify more than 100 run_ids. Received ${i.run_ids.length} run_ids.`);
        const max = i.max_results ?? 320;
        if (max < 1 || max > 2500) throw mlflowError('INVALID_PARAMETER_VALUE', `max_results must be between 1 and 2500, got ${max}.`);
        const out: Array<{ key: string; value: unknown; timestamp: number; step: number; run_id: string }> = [];
        for (const id of i.run_ids) {
          const r = await run(ctx, { run_id: id });
          const s = await d.metrics.series(r.id, i.metric_key, { buckets: max, min_step: i.start_step, max_step: i.end_step });
          for (const b of s.buckets) out.push({ key: i.metric_key, value: b.last, timestamp: b.last_timestamp, step: b.last_step, run_id: r.id });
        }
        return { metrics: out };
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow/artifacts/list', access: 'read', input: M.listArtifacts,
      handle: async (i, ctx) => {
        const r = await run(ctx, i);
        const prefix = (i.path ?? '').replace(/^\/+|\/+$/g, '');
        const files = await listChildren(d.artifacts, r.id, prefix);
        return { root_uri: mlflowRunInfo(r).artifact_uri, files: files.map((f) => ({ path: prefix ? `${prefix}/${f.name}` : f.name, is_dir: f.isDir, ...(f.isDir ? {} : { file_size: f.size }) })) };
      },
    }),
  ];
}

/** The direct children (files and folders) of a folder of a run's artifacts. */
export async function listChildren(artifacts: ArtifactService, runId: string, folder: string): Promise<Array<{ name: string; isDir: boolean; size: number }>> {
  const out = new Map<string, { name: string; isDir: boolean; size: number }>();
  let token: string | undefined;
  do {
    const page = await artifacts.list(runId, { prefix: folder ? `${folder}/` : undefined, max_results: 1000, page_token: token });
    for (const a of page.items) {
      const rest = folder ? a.path.slice(folder.length + 1) : a.path;
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!out.has(name)) out.set(name, { name, isDir: slash >= 0, size: slash >= 0 ? 0 : a.size });
    }
    token = page.next_page_token ?? undefined;
  } while (token);
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
