import { z } from 'zod';
import { Millis, StringMap } from './common.js';

export const MODEL_TYPES = ['custom_model', 'mlflow_model'] as const;
export const MODEL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export const MODEL_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** The parsed MLmodel file of an MLflow model: its flavors and signature. */
export const MlModelInfo = z.object({
  flavors: z.array(z.string()),
  signature: z.object({ inputs: z.unknown().nullable(), outputs: z.unknown().nullable(), params: z.unknown().nullable() }).nullable(),
  run_id: z.string().nullable(),
  raw: z.record(z.string(), z.unknown()),
});
export type MlModelInfo = z.infer<typeof MlModelInfo>;

export const ModelVersion = z.object({
  name: z.string(),
  version: z.number().int(),
  type: z.enum(MODEL_TYPES),
  description: z.string().nullable(),
  tags: StringMap,
  properties: StringMap,
  stage: z.enum(MODEL_STAGES),
  archived: z.boolean(),
  aliases: z.array(z.string()),
  source: z.string(),
  /** The run that produced it (lineage), when known. */
  run_id: z.string().nullable(),
  status: z.enum(['READY', 'PENDING_REGISTRATION', 'FAILED_REGISTRATION']),
  status_message: z.string().nullable(),
  snapshot_id: z.string().nullable(),
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  mlmodel: MlModelInfo.nullable(),
  user: z.string(),
  created_at: Millis,
  updated_at: Millis,
});
export type ModelVersion = z.infer<typeof ModelVersion>;

export const RegisteredModel = z.object({
  name: z.string(),
  description: z.string().nullable(),
  tags: StringMap,
  aliases: z.record(z.string(), z.number().int()),
  latest_version: z.number().int().nullable(),
  version_count: z.number().int(),
  user: z.string(),
  created_at: Millis,
  updated_at: Millis,
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

/** Where a version's files come from. */
export const ModelSource = z.discriminatedUnion('kind', [
  /** Files the client uploaded (as a snapshot) from a local path. */
  z.object({ kind: z.literal('snapshot'), snapshot_id: z.string(), path: z.string().describe('the local path, for the record') }),
  /** A run's output: runs:/<run>/<path>, azureml://jobs/<job>/outputs/<name>/paths/<p>, a datastore path. */
  z.object({ kind: z.literal('uri'), uri: z.string() }),
]);

export const CreateModelVersion = z.object({
  version: z.number().int().positive().optional(),
  type: z.enum(MODEL_TYPES).optional(),
  source: ModelSource,
  description: z.string().max(5000).optional(),
  tags: StringMap.optional(),
  properties: StringMap.optional(),
  stage: z.enum(MODEL_STAGES).optional(),
  /** Link to the producing run when the source does not name one. */
  run_id: z.string().optional(),
});
export type CreateModelVersion = z.infer<typeof CreateModelVersion>;

export const UpdateModelVersion = z.object({
  description: z.string().max(5000).optional(),
  tags: StringMap.optional(),
  stage: z.enum(MODEL_STAGES).optional(),
  archived: z.boolean().optional(),
});

export const ListModelsQuery = z.object({
  name: z.string().optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  max_results: z.coerce.number().int().min(1).max(1000).optional(),
  page_token: z.string().optional(),
});

export const ListModelVersionsQuery = z.object({
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  include_archived: z.coerce.boolean().optional(),
  max_results: z.coerce.number().int().min(1).max(1000).optional(),
  page_token: z.string().optional(),
});

/** The Azure ML CLI v2 model YAML. */
export const ModelYaml = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(MODEL_NAME_PATTERN, 'a model name has letters, digits, _ . and -, and starts with a letter or digit'),
  version: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
  type: z.enum([...MODEL_TYPES, 'triton_model']).default('custom_model'),
  path: z.string().min(1),
  description: z.string().optional(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  stage: z.string().optional(),
  flavors: z.record(z.string(), z.unknown()).optional(),
});
export type ModelYaml = z.infer<typeof ModelYaml>;
