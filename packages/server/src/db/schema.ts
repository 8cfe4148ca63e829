/** Table types for Kysely. Times are integer milliseconds since the epoch (UTC). */
import type { Generated } from 'kysely';

export interface UsersTable { id: Generated<number>; name: string; is_admin: number; created_at: number }
export interface TokensTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  /** Set for run-scoped tokens: the token may only touch this run and its children. */
  run_id: string | null;
  workspace_id: number | null;
  name: string | null;
  created_at: number;
  expires_at: number | null;
}
export interface WorkspacesTable { id: Generated<number>; name: string; created_at: number }
export interface MembersTable { workspace_id: number; user_id: number; role: string }
export interface SettingsTable { key: string; value: string }

export interface ExperimentsTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  lifecycle_stage: string;
  created_at: number;
  last_update_time: number;
}
export interface ExperimentTagsTable { experiment_id: number; key: string; value: string }

export interface RunsTable {
  id: string;
  workspace_id: number;
  experiment_id: number;
  parent_run_id: string | null;
  display_name: string;
  description: string | null;
  status: string;
  status_reason: string | null;
  user_id: number;
  compute: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  lifecycle_stage: string;
  /** JSON of the JobSubmission; null for runs made by logging alone. */
  job: string | null;
  agent_pid: number | null;
  heartbeat_at: number | null;
  cancel_requested: number;
  last_update_time: number;
}
export interface RunParamsTable { run_id: string; key: string; value: string }
export interface RunTagsTable { run_id: string; key: string; value: string }

/** Points are stored in chunks: one row per (run, key) per logged batch, arrays packed as float64. */
export interface MetricChunksTable {
  id: Generated<number>;
  run_id: string;
  key: string;
  count: number;
  min_step: number;
  max_step: number;
  data: Uint8Array;
}
export interface LatestMetricsTable {
  run_id: string;
  key: string;
  value: number | null;
  is_nan: number;
  step: number;
  timestamp: number;
}
export interface IdempotencyKeysTable { run_id: string; key: string; created_at: number }

export interface ArtifactsTable { run_id: string; path: string; size: number; sha256: string; blob_key: string; created_at: number }
export interface CasBlobsTable { workspace_id: number; sha256: string; size: number; created_at: number }
export interface SnapshotsTable {
  workspace_id: number;
  id: string;
  manifest: string;
  file_count: number;
  total_bytes: number;
  created_at: number;
}
export interface LogChunksTable { run_id: string; offset: number; size: number; data: string; created_at: number }
export interface ComputesTable {
  workspace_id: number;
  name: string;
  type: string;
  slots: number;
  description: string | null;
  created_at: number;
}

export interface RegisteredModelsTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  description: string | null;
  user_id: number;
  created_at: number;
  updated_at: number;
}
export interface RegisteredModelTagsTable { model_id: number; key: string; value: string }
export interface ModelAliasesTable { model_id: number; alias: string; version: number }
export interface ModelVersionsTable {
  model_id: number;
  version: number;
  /** custom_model | mlflow_model */
  type: string;
  description: string | null;
  /** Where the files came from, as given (runs:/…, azureml://…, a local path). */
  source: string;
  run_id: string | null;
  run_link: string | null;
  /** MLflow's READY | PENDING_REGISTRATION | FAILED_REGISTRATION */
  status: string;
  status_message: string | null;
  /** MLflow's None | Staging | Production | Archived */
  stage: string;
  archived: number;
  /** The files, stored as a content-addressed snapshot; null when the source is not reachable. */
  snapshot_id: string | null;
  properties: string;
  /** The parsed MLmodel file (JSON), when the model has one. */
  mlmodel: string | null;
  user_id: number;
  created_at: number;
  updated_at: number;
}
export interface ModelVersionTagsTable { model_id: number; version: number; key: string; value: string }
export interface RunInputsTable { run_id: string; digest: string; name: string; dataset: string; tags: string }
export interface MultipartUploadsTable { id: string; workspace_id: number; run_id: string; path: string; num_parts: number; created_at: number }
export interface ExperimentArtifactLocationsTable { experiment_id: number; location: string }

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  workspaces: WorkspacesTable;
  members: MembersTable;
  settings: SettingsTable;
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  run_params: RunParamsTable;
  run_tags: RunTagsTable;
  metric_chunks: MetricChunksTable;
  latest_metrics: LatestMetricsTable;
  idempotency_keys: IdempotencyKeysTable;
  artifacts: ArtifactsTable;
  cas_blobs: CasBlobsTable;
  snapshots: SnapshotsTable;
  log_chunks: LogChunksTable;
  computes: ComputesTable;
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_aliases: ModelAliasesTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  run_inputs: RunInputsTable;
  multipart_uploads: MultipartUploadsTable;
  experiment_artifact_locations: ExperimentArtifactLocationsTable;
}
