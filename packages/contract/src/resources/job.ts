/**
 * Command jobs: the Azure ML CLI v2 YAML shape (what users write) and the resolved
 * submission the CLI sends after uploading code and local inputs (what the server stores).
 * Objects are strict: an unknown key is an error, never silently dropped.
 */
import { z } from 'zod';
import { EnvironmentYaml, ResolvedEnvironment } from './environment.js';

/** Keys the cloud honours and a host cannot; accepted, recorded and reported once. */
export const IGNORED_JOB_KEYS = ['resources', 'distribution', 'identity', 'queue_settings', 'services'] as const;

export const INPUT_DATA_TYPES = ['uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model'] as const;
export const INPUT_MODES = ['download', 'ro_mount'] as const;
export const OUTPUT_MODES = ['rw_mount', 'upload'] as const;

const Literal = z.union([z.string(), z.number(), z.boolean()]);

const LiteralInputYaml = z.strictObject({
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  value: Literal.optional(),
  default: Literal.optional(),
  description: z.string().optional(),
  optional: z.boolean().optional(),
});

const DataInputYaml = z.strictObject({
  type: z.enum(INPUT_DATA_TYPES),
  path: z.string().min(1),
  mode: z.enum(INPUT_MODES).default('ro_mount'),
  description: z.string().optional(),
});

export const JobInputYaml = z.union([Literal, DataInputYaml, LiteralInputYaml]);

export const JobOutputYaml = z
  .strictObject({
    type: z.enum(['uri_folder', 'uri_file']).default('uri_folder'),
    mode: z.enum(OUTPUT_MODES).default('rw_mount'),
    path: z.string().optional(),
    name: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    description: z.string().optional(),
  })
  .nullable();

export const LimitsYaml = z.strictObject({
  /** Seconds, as in Azure ML. */
  timeout: z.number().int().positive().optional(),
});

/** The names `${{inputs.x}}` can reference. */
const IoName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'input and output names use letters, digits and _ (and do not start with a digit)');

export const CommandJobYaml = z.strictObject({
  $schema: z.string().optional(),
  type: z.literal('command').default('command'),
  name: z.string().optional(),
  display_name: z.string().optional(),
  experiment_name: z.string().optional(),
  description: z.string().optional(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  command: z.string().min(1),
  code: z.string().optional(),
  environment: z.union([z.string(), EnvironmentYaml]).optional(),
  environment_variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  compute: z.string().optional(),
  limits: LimitsYaml.optional(),
  inputs: z.record(IoName, JobInputYaml).optional(),
  outputs: z.record(IoName, JobOutputYaml).optional(),
  resources: z.record(z.string(), z.unknown()).optional(),
  distribution: z.record(z.string(), z.unknown()).optional(),
  identity: z.record(z.string(), z.unknown()).optional(),
  queue_settings: z.record(z.string(), z.unknown()).optional(),
  services: z.record(z.string(), z.unknown()).optional(),
});
export type CommandJobYaml = z.infer<typeof CommandJobYaml>;

export const ResolvedInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('literal'), value: Literal }),
  z.object({
    kind: z.literal('data'),
    type: z.enum(INPUT_DATA_TYPES),
    mode: z.enum(INPUT_MODES),
    /** The uploaded content, stored like a code snapshot. */
    snapshot_id: z.string(),
    /** For uri_file: the file's name inside the snapshot. */
    file_name: z.string().optional(),
    /** Where it came from, for the record. */
    source: z.string(),
    /** The data asset version it resolved to (set by the server: lineage). */
    data_asset: z.object({ name: z.string(), version: z.number().int() }).optional(),
  }),
  /**
   * A read-only input linked in place, not copied: a `ro_mount` of a local datastore's
   * folder on the server host. Made by the server at submit only (a submitted one is refused).
   */
  z.object({
    kind: z.literal('linked'),
    type: z.enum(INPUT_DATA_TYPES),
    mode: z.literal('ro_mount'),
    /** The local datastore's absolute folder; nothing outside it is exposed. */
    root: z.string(),
    /** The file (uri_file) or folder, relative to root ('' is the root itself). */
    path: z.string(),
    /** For uri_file: the file's name as the job sees it. */
    file_name: z.string().optional(),
    datastore: z.string(),
    source: z.string(),
    data_asset: z.object({ name: z.string(), version: z.number().int() }).optional(),
  }),
  /** A data asset (azureml:name:version, azureml:name@latest) or a datastore URI; the server resolves it to `data` at submit. */
  z.object({
    kind: z.literal('datastore'),
    type: z.enum(INPUT_DATA_TYPES),
    mode: z.enum(INPUT_MODES),
    uri: z.string(),
    /** As written in the job, for the record. */
    source: z.string(),
  }),
]);
export type ResolvedInput = z.infer<typeof ResolvedInput>;

export const ResolvedOutput = z.object({
  type: z.enum(['uri_folder', 'uri_file']),
  mode: z.enum(OUTPUT_MODES),
  /** Register the output as this data asset (a new version) when the job completes. */
  name: z.string().optional(),
  version: z.number().int().positive().optional(),
  description: z.string().optional(),
});
export type ResolvedOutput = z.infer<typeof ResolvedOutput>;

export const JobSubmission = z.object({
  name: z.string().optional(),
  display_name: z.string().optional(),
  experiment_name: z.string().min(1),
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  properties: z.record(z.string(), z.string()).default({}),
  command: z.string().min(1),
  code_snapshot_id: z.string().nullable().default(null),
  environment: z.unknown().optional(),
  /** Set by the server at submit (anything sent here is replaced): which environment, version and hash the run uses. */
  resolved_environment: ResolvedEnvironment.nullable().optional(),
  environment_variables: z.record(z.string(), z.string()).default({}),
  compute: z.string().default('local'),
  timeout_seconds: z.number().int().positive().nullable().default(null),
  inputs: z.record(z.string(), ResolvedInput).default({}),
  outputs: z.record(z.string(), ResolvedOutput).default({}),
  /** Keys the YAML set that Lathe records but cannot honour on this host. */
  ignored: z.record(z.string(), z.unknown()).default({}),
});
export type JobSubmission = z.infer<typeof JobSubmission>;
