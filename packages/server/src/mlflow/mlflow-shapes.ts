/** Lathe records in MLflow's JSON shapes. */
import { MLFLOW_STATUS_BY_RUN_STATUS, type Experiment, type ModelVersion, type RegisteredModel, type Run } from '@lathe/contract';

/** MLflow's default experiment is "0"; Lathe's is the workspace's `Default`. */
export const DEFAULT_EXPERIMENT = 'Default';
export const mlflowExperimentId = (id: string, name: string) => (name === DEFAULT_EXPERIMENT ? '0' : id);

const kv = (rec: Record<string, string>) => Object.entries(rec).map(([key, value]) => ({ key, value }));

export function mlflowExperiment(e: Experiment) {
  const id = mlflowExperimentId(e.id, e.name);
  return {
    experiment_id: id,
    name: e.name,
    artifact_location: `mlflow-artifacts:/${id}`,
    lifecycle_stage: e.lifecycle_stage,
    last_update_time: e.last_update_time,
    creation_time: e.created_at,
    tags: kv(e.tags),
  };
}

export function mlflowRunInfo(r: Run) {
  const expId = mlflowExperimentId(r.experiment_id, r.experiment_name);
  return {
    run_id: r.id,
    run_uuid: r.id,
    run_name: r.display_name,
    experiment_id: expId,
    user_id: r.user,
    status: MLFLOW_STATUS_BY_RUN_STATUS[r.status],
    start_time: r.started_at ?? r.created_at,
    ...(r.ended_at !== null ? { end_time: r.ended_at } : {}),
    artifact_uri: `mlflow-artifacts:/${expId}/${r.id}/artifacts`,
    lifecycle_stage: r.lifecycle_stage,
  };
}

export interface DatasetInput {
  tags: Array<{ key: string; value: string }>;
  dataset: Record<string, string>;
}

export function mlflowRun(r: Run, inputs: DatasetInput[] = []) {
  const tags: Record<string, string> = { 'mlflow.runName': r.display_name, 'mlflow.user': r.user, ...r.tags };
  if (r.parent_run_id) tags['mlflow.parentRunId'] = r.parent_run_id;
  return {
    info: mlflowRunInfo(r),
    data: {
      metrics: Object.entries(r.metrics).map(([key, m]) => ({ key, value: m.value, timestamp: m.timestamp, step: m.step })),
      params: kv(r.params),
      tags: kv(tags),
    },
    inputs: { dataset_inputs: inputs },
  };
}

export function mlflowModelVersion(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.created_at,
    last_updated_timestamp: v.updated_at,
    user_id: v.user,
    current_stage: v.stage,
    description: v.description ?? '',
    source: v.source,
    ...(v.run_id ? { run_id: v.run_id } : {}),
    status: v.status,
    ...(v.status_message ? { status_message: v.status_message } : {}),
    tags: kv(v.tags),
    aliases: v.aliases,
  };
}

export function mlflowRegisteredModel(m: RegisteredModel, latest: ModelVersion[]) {
  return {
    name: m.name,
    creation_timestamp: m.created_at,
    last_updated_timestamp: m.updated_at,
    user_id: m.user,
    description: m.description ?? '',
    latest_versions: latest.map(mlflowModelVersion),
    tags: kv(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  };
}

/** Drop a null page token, as MLflow omits empty fields. */
export const withToken = <T extends object>(body: T, token: string | null) => (token ? { ...body, next_page_token: token } : body);
