/**
 * Request shapes of MLflow's tracking and registry REST API 2.0, as its clients send
 * them. Objects are not strict: MLflow clients send extra fields (run_uuid beside run_id)
 * and MLflow's server ignores them.
 */
import { z } from 'zod';

const Int = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);
const OptInt = Int.optional();
const Bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).transform((v) => v === true || String(v).toLowerCase() === 'true');
const StrList = z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v : [v]));
export const MlflowKeyValue = z.object({ key: z.string(), value: z.string().nullable().optional().transform((v) => v ?? '') });
const Tags = z.array(MlflowKeyValue).optional().default([]);
export const MlflowValue = z.union([z.number(), z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity'), z.string()]);

const runId = { run_id: z.string().optional(), run_uuid: z.string().optional() };

export const ViewType = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).or(z.number().transform((n) => (['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const)[n - 1] ?? 'ACTIVE_ONLY'));

export const MlflowRequests = {
  createExperiment: z.object({ name: z.string(), artifact_location: z.string().optional(), tags: Tags }),
  experimentId: z.object({ experiment_id: z.string() }),
  experimentByName: z.object({ experiment_name: z.string() }),
  searchExperiments: z.object({
    max_results: OptInt,
    page_token: z.string().optional(),
    filter: z.string().optional(),
    order_by: StrList.optional(),
    view_type: ViewType.optional(),
  }),
  listExperiments: z.object({ view_type: ViewType.optional(), max_results: OptInt, page_token: z.string().optional() }),
  updateExperiment: z.object({ experiment_id: z.string(), new_name: z.string() }),
  setExperimentTag: z.object({ experiment_id: z.string(), key: z.string(), value: z.string() }),

  createRun: z.object({
    experiment_id: z.string().optional(),
    user_id: z.string().optional(),
    run_name: z.string().optional(),
    start_time: OptInt,
    tags: Tags,
  }),
  runRef: z.object(runId),
  updateRun: z.object({ ...runId, status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(), end_time: OptInt, run_name: z.string().optional() }),
  searchRuns: z.object({
    experiment_ids: StrList.optional().default([]),
    filter: z.string().optional(),
    run_view_type: ViewType.optional(),
    max_results: OptInt,
    order_by: StrList.optional(),
    page_token: z.string().optional(),
  }),
  logMetric: z.object({ ...runId, key: z.string(), value: MlflowValue, timestamp: OptInt, step: OptInt }),
  logParam: z.object({ ...runId, key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) }),
  setTag: z.object({ ...runId, key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) }),
  deleteTag: z.object({ ...runId, key: z.string() }),
  logBatch: z.object({
    ...runId,
    metrics: z.array(z.object({ key: z.string(), value: MlflowValue, timestamp: OptInt, step: OptInt })).optional().default([]),
    params: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) })).optional().default([]),
    tags: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) })).optional().default([]),
  }),
  logInputs: z.object({
    ...runId,
    datasets: z.array(z.object({
      tags: Tags,
      dataset: z.object({ name: z.string(), digest: z.string(), source_type: z.string(), source: z.string(), schema: z.string().optional(), profile: z.string().optional() }),
    })).optional().default([]),
  }),
  logModel: z.object({ ...runId, model_json: z.string() }),
  getHistory: z.object({ ...runId, metric_key: z.string(), max_results: OptInt, page_token: z.string().optional() }),
  getHistoryBulkInterval: z.object({
    run_ids: StrList,
    metric_key: z.string(),
    start_step: OptInt,
    end_step: OptInt,
    max_results: OptInt,
  }),
  listArtifacts: z.object({ ...runId, path: z.string().optional(), page_token: z.string().optional() }),

  createRegisteredModel: z.object({ name: z.string(), tags: Tags, description: z.string().optional() }),
  modelName: z.object({ name: z.string() }),
  renameRegisteredModel: z.object({ name: z.string(), new_name: z.string() }),
  updateRegisteredModel: z.object({ name: z.string(), description: z.string().optional() }),
  searchRegisteredModels: z.object({ filter: z.string().optional(), max_results: OptInt, order_by: StrList.optional(), page_token: z.string().optional() }),
  getLatestVersions: z.object({ name: z.string(), stages: StrList.optional() }),
  modelTag: z.object({ name: z.string(), key: z.string(), value: z.string() }),
  modelTagKey: z.object({ name: z.string(), key: z.string() }),
  setAlias: z.object({ name: z.string(), alias: z.string(), version: z.union([z.string(), z.number()]).transform(String) }),
  aliasRef: z.object({ name: z.string(), alias: z.string() }),
  createModelVersion: z.object({
    name: z.string(),
    source: z.string(),
    run_id: z.string().optional(),
    tags: Tags,
    run_link: z.string().optional(),
    description: z.string().optional(),
  }),
  versionRef: z.object({ name: z.string(), version: z.union([z.string(), z.number()]).transform(String) }),
  updateModelVersion: z.object({ name: z.string(), version: z.union([z.string(), z.number()]).transform(String), description: z.string().optional() }),
  searchModelVersions: z.object({ filter: z.string().optional(), max_results: OptInt, order_by: StrList.optional(), page_token: z.string().optional() }),
  transitionStage: z.object({
    name: z.string(),
    version: z.union([z.string(), z.number()]).transform(String),
    stage: z.string(),
    archive_existing_versions: Bool.optional(),
  }),
  versionTag: z.object({ name: z.string(), version: z.union([z.string(), z.number()]).transform(String), key: z.string(), value: z.string() }),
  versionTagKey: z.object({ name: z.string(), version: z.union([z.string(), z.number()]).transform(String), key: z.string() }),

  mpuCreate: z.object({ path: z.string().optional(), num_parts: Int }),
  mpuComplete: z.object({ path: z.string().optional(), upload_id: z.string(), parts: z.array(z.object({ part_number: Int, etag: z.string().optional(), url: z.string().optional() })) }),
  mpuAbort: z.object({ path: z.string().optional(), upload_id: z.string() }),
} as const;

/** MLflow's error codes and the HTTP status MLflow's server answers with. */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;
