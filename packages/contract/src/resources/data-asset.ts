import { z } from 'zod';
import { Millis, StringMap } from './common.js';
import { DatastoreFile } from './datastore.js';

export const DATA_TYPES = ['uri_file', 'uri_folder', 'mltable'] as const;
export const DATA_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/** The Azure ML data YAML. */
export const DataYaml = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(DATA_NAME_PATTERN, 'a data asset name has letters, digits, _ . and -'),
  version: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
  type: z.enum(DATA_TYPES).default('uri_folder'),
  path: z.string().min(1),
  description: z.string().optional(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type DataYaml = z.infer<typeof DataYaml>;

export const ColumnProfile = z.object({
  name: z.string(),
  type: z.enum(['integer', 'float', 'boolean', 'datetime', 'string', 'empty']),
  nulls: z.number().int(),
  min: z.union([z.number(), z.string()]).nullable(),
  max: z.union([z.number(), z.string()]).nullable(),
  mean: z.number().nullable(),
  distinct_estimate: z.number().int(),
  top_values: z.array(z.object({ value: z.string(), count: z.number().int() })),
});
export type ColumnProfile = z.infer<typeof ColumnProfile>;

export const TableProfile = z.object({
  format: z.enum(['csv', 'parquet']),
  files: z.array(z.string()),
  row_count: z.number().int(),
  columns: z.array(ColumnProfile),
});
export type TableProfile = z.infer<typeof TableProfile>;

export const DataVersion = z.object({
  name: z.string(),
  version: z.number().int(),
  type: z.enum(DATA_TYPES),
  /** azureml://datastores/<ds>/paths/<p> */
  path: z.string(),
  datastore: z.string(),
  description: z.string().nullable(),
  tags: StringMap,
  properties: StringMap,
  /** The metadata snapshot taken at registration. */
  files: z.array(DatastoreFile),
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  table: TableProfile.nullable(),
  /** The run that produced it (lineage). */
  run_id: z.string().nullable(),
  user: z.string(),
  created_at: Millis,
});
export type DataVersion = z.infer<typeof DataVersion>;

/** A data version without its file list (lists). */
export const DataVersionSummary = DataVersion.omit({ files: true, table: true });
export type DataVersionSummary = z.infer<typeof DataVersionSummary>;

export const DataSource = z.discriminatedUnion('kind', [
  /** Local files the client uploaded (content-addressed) to the default datastore. */
  z.object({ kind: z.literal('snapshot'), snapshot_id: z.string(), file_name: z.string().optional(), path: z.string().describe('the local path, for the record') }),
  /** azureml://datastores/<ds>/paths/<p> */
  z.object({ kind: z.literal('uri'), uri: z.string() }),
]);
export type DataSource = z.infer<typeof DataSource>;

export const CreateDataVersion = z.object({
  version: z.number().int().positive().optional(),
  type: z.enum(DATA_TYPES),
  source: DataSource,
  description: z.string().max(5000).optional(),
  tags: StringMap.optional(),
  properties: StringMap.optional(),
  run_id: z.string().optional(),
});
export type CreateDataVersion = z.infer<typeof CreateDataVersion>;

/** Whether the files under a version changed since it was registered. */
export const DataCheck = z.object({
  changed: z.boolean(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  modified: z.array(z.string()),
});
export type DataCheck = z.infer<typeof DataCheck>;

export const DataLineage = z.object({
  run_id: z.string(),
  name: z.string(),
  version: z.number().int(),
  direction: z.enum(['input', 'output']),
  /** The job's input or output name. */
  port: z.string(),
  created_at: Millis,
});
export type DataLineage = z.infer<typeof DataLineage>;
