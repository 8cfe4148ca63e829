import { z } from 'zod';
import { Millis, StringMap } from './common.js';

/** Endpoint and deployment names: Azure ML's rule (3–32 chars, letters, digits and '-', starting with a letter). */
export const ENDPOINT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{2,31}$/;
export const DEPLOYMENT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{2,31}$/;
export const AUTH_MODES = ['key', 'aml_token'] as const;
/** Azure ML's provisioning states, as `az ml online-endpoint show` prints them. */
export const PROVISIONING_STATES = ['Creating', 'Updating', 'Succeeded', 'Failed', 'Deleting'] as const;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const ScalarMap = z.record(z.string(), Scalar);
const Weights = z.record(z.string(), z.number().int().min(0).max(100));

/** The Azure ML CLI v2 managed online endpoint YAML. */
export const EndpointYaml = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(ENDPOINT_NAME_PATTERN, 'an endpoint name has 3–32 letters, digits and -, starting with a letter'),
  description: z.string().optional(),
  tags: ScalarMap.optional(),
  properties: ScalarMap.optional(),
  auth_mode: z.enum([...AUTH_MODES, 'aad_token']).default('key'),
  traffic: Weights.optional(),
  mirror_traffic: Weights.optional(),
  // Accepted and recorded; they mean nothing on a Lathe host.
  identity: z.unknown().optional(),
  public_network_access: z.string().optional(),
  kind: z.string().optional(),
  compute: z.string().optional(),
});
export type EndpointYaml = z.infer<typeof EndpointYaml>;

const Probe = z.strictObject({
  initial_delay: z.number().int().min(0).optional(),
  period: z.number().int().min(1).optional(),
  timeout: z.number().int().min(1).optional(),
  success_threshold: z.number().int().min(1).optional(),
  failure_threshold: z.number().int().min(1).optional(),
});
const RequestSettings = z.strictObject({
  request_timeout_ms: z.number().int().min(1).max(180_000).optional(),
  max_concurrent_requests_per_instance: z.number().int().min(1).max(1000).optional(),
  max_queue_wait_ms: z.number().int().min(0).optional(),
});
const ScaleSettings = z.strictObject({
  type: z.enum(['default', 'target_utilization']).default('default'),
  min_instances: z.number().int().min(1).max(64).optional(),
  max_instances: z.number().int().min(1).max(64).optional(),
  polling_interval: z.number().int().min(1).optional(),
  target_utilization_percentage: z.number().int().min(1).max(100).optional(),
  /** Lathe: in-flight requests per replica to aim for (default: max_concurrent_requests_per_instance × utilisation). */
  target_concurrency: z.number().min(0.1).optional(),
});
const DataCollector = z.strictObject({
  collections: z.record(z.string(), z.strictObject({ enabled: z.union([z.boolean(), z.string()]).optional(), data: z.unknown().optional() })).optional(),
  sampling_rate: z.number().min(0).max(1).optional(),
  rolling_rate: z.string().optional(),
  request_logging: z.unknown().optional(),
});

/** The Azure ML CLI v2 managed online deployment YAML. */
export const DeploymentYaml = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(DEPLOYMENT_NAME_PATTERN, 'a deployment name has 3–32 letters, digits and -, starting with a letter'),
  endpoint_name: z.string().regex(ENDPOINT_NAME_PATTERN, 'an endpoint name has 3–32 letters, digits and -, starting with a letter'),
  description: z.string().optional(),
  tags: ScalarMap.optional(),
  properties: ScalarMap.optional(),
  model: z.union([
    z.string(),
    z.strictObject({ name: z.string().optional(), version: z.union([z.string(), z.number()]).optional(), path: z.string(), type: z.enum(['custom_model', 'mlflow_model']).optional(), description: z.string().optional() }),
  ]).optional(),
  code_configuration: z.strictObject({ code: z.string(), scoring_script: z.string() }).optional(),
  environment: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  instance_count: z.number().int().min(1).max(64).default(1),
  environment_variables: ScalarMap.optional(),
  request_settings: RequestSettings.optional(),
  liveness_probe: Probe.optional(),
  readiness_probe: Probe.optional(),
  scale_settings: ScaleSettings.optional(),
  data_collector: DataCollector.optional(),
  // Accepted and recorded; they mean nothing on a Lathe host.
  instance_type: z.string().optional(),
  app_insights_enabled: z.boolean().optional(),
  egress_public_network_access: z.string().optional(),
  private_network_connection: z.boolean().optional(),
  with_package: z.boolean().optional(),
});
export type DeploymentYaml = z.infer<typeof DeploymentYaml>;

/** An endpoint as the API returns it (keys never included; see listEndpointKeys). */
export const OnlineEndpoint = z.object({
  name: z.string(),
  description: z.string().nullable(),
  tags: StringMap,
  properties: StringMap,
  auth_mode: z.enum(AUTH_MODES),
  traffic: z.record(z.string(), z.number()),
  mirror_traffic: z.record(z.string(), z.number()),
  scoring_uri: z.string(),
  openapi_uri: z.string().nullable(),
  provisioning_state: z.enum(PROVISIONING_STATES),
  ignored_keys: z.array(z.string()),
  created_at: Millis,
  updated_at: Millis,
});
export type OnlineEndpoint = z.infer<typeof OnlineEndpoint>;

export const PutEndpoint = z.object({
  description: z.string().max(5000).optional(),
  tags: StringMap.optional(),
  properties: StringMap.optional(),
  auth_mode: z.enum(AUTH_MODES).optional(),
  traffic: Weights.optional(),
  mirror_traffic: Weights.optional(),
  ignored_keys: z.array(z.string()).optional(),
});
export type PutEndpoint = z.infer<typeof PutEndpoint>;

export const EndpointKeys = z.object({ primaryKey: z.string(), secondaryKey: z.string() });
export type EndpointKeys = z.infer<typeof EndpointKeys>;
export const RegenerateKeys = z.object({ key_type: z.enum(['primary', 'secondary']).default('primary'), key_value: z.string().min(16).optional() });

/** Request settings after defaults (Azure ML's: 5 s, 1 concurrent request per instance). */
export const RequestSettingsResolved = z.object({
  request_timeout_ms: z.number().int(),
  max_concurrent_requests_per_instance: z.number().int(),
  max_queue_wait_ms: z.number().int(),
});
export const ProbeResolved = z.object({ initial_delay: z.number(), period: z.number(), timeout: z.number(), success_threshold: z.number(), failure_threshold: z.number() });
export const ScaleResolved = z.object({
  type: z.enum(['default', 'target_utilization']),
  min_instances: z.number().int(),
  max_instances: z.number().int(),
  polling_interval: z.number().int(),
  target_concurrency: z.number(),
});

/** A deployment's definition as the server stores it (references resolved, files uploaded). */
export const DeploymentSpec = z.object({
  description: z.string().max(5000).nullable().default(null),
  tags: StringMap.default({}),
  properties: StringMap.default({}),
  /** A registered model version, or files uploaded inline; null for a scoring script that needs none. */
  model: z.union([
    z.object({ kind: z.literal('registered'), name: z.string(), version: z.string().describe('a number, latest or @alias; stored resolved') }),
    z.object({ kind: z.literal('files'), snapshot_id: z.string(), type: z.enum(['custom_model', 'mlflow_model']).default('custom_model') }),
  ]).nullable().default(null),
  code: z.object({ snapshot_id: z.string(), scoring_script: z.string() }).nullable().default(null),
  /** A reference or an inline definition (JSON); built on the server host, as jobs' environments are on their nodes. */
  environment: z.string().nullable().default(null),
  instance_count: z.number().int().min(1).max(64).default(1),
  environment_variables: StringMap.default({}),
  request_settings: RequestSettings.default({}),
  liveness_probe: Probe.default({}),
  readiness_probe: Probe.default({}),
  scale_settings: ScaleSettings.optional(),
  data_collector: z.object({ sampling_rate: z.number().min(0).max(1) }).nullable().default(null),
  ignored_keys: z.array(z.string()).default([]),
});
export type DeploymentSpec = z.infer<typeof DeploymentSpec>;
export type DeploymentSpecInput = z.input<typeof DeploymentSpec>;

export const ReplicaInfo = z.object({ pid: z.number().int().nullable(), state: z.string(), in_flight: z.number().int(), restarts: z.number().int(), started_at: Millis.nullable() });

export const OnlineDeployment = z.object({
  name: z.string(),
  endpoint_name: z.string(),
  description: z.string().nullable(),
  tags: StringMap,
  properties: StringMap,
  model: z.string().nullable().describe('azureml:name:version, or the inline files'),
  model_type: z.enum(['custom_model', 'mlflow_model']).nullable(),
  code_configuration: z.object({ snapshot_id: z.string(), scoring_script: z.string() }).nullable(),
  environment: z.string().nullable(),
  instance_count: z.number().int(),
  environment_variables: StringMap,
  request_settings: RequestSettingsResolved,
  scale_settings: ScaleResolved,
  data_collector: z.object({ sampling_rate: z.number() }).nullable(),
  provisioning_state: z.enum(PROVISIONING_STATES),
  status_message: z.string().nullable(),
  generation: z.number().int(),
  /** The generation whose replicas answer (older than `generation` while an update rolls out, or after it failed). */
  serving_generation: z.number().int().nullable(),
  replicas: z.array(ReplicaInfo),
  ignored_keys: z.array(z.string()),
  created_at: Millis,
  updated_at: Millis,
});
export type OnlineDeployment = z.infer<typeof OnlineDeployment>;

/** One minute of one deployment's traffic. */
export const MinuteStats = z.object({
  minute: Millis,
  requests: z.number().int(),
  errors: z.number().int(),
  throttled: z.number().int(),
  timeouts: z.number().int(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
});
export const DeploymentMetrics = z.object({
  deployment: z.string(),
  totals: z.object({ requests: z.number().int(), errors: z.number().int(), throttled: z.number().int(), timeouts: z.number().int(), mirrored: z.number().int() }),
  minutes: z.array(MinuteStats),
});
export type DeploymentMetrics = z.infer<typeof DeploymentMetrics>;

export const DeploymentLogs = z.object({ deployment: z.string(), text: z.string() });

/** One sampled request and its answer (the data collector). */
export const CollectedRecord = z.object({
  correlationid: z.string(),
  time: z.string(),
  endpoint: z.string(),
  deployment: z.string(),
  status: z.number().int(),
  model_inputs: z.unknown(),
  model_outputs: z.unknown(),
});
export type CollectedRecord = z.infer<typeof CollectedRecord>;
export const CollectedQuery = z.object({ max_results: z.coerce.number().int().min(1).max(10_000).optional() });
export const LogsQuery = z.object({ lines: z.coerce.number().int().min(1).max(100_000).optional() });
