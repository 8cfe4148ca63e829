import { z } from 'zod';
import { Millis, StringMap } from './common.js';

export const DATASTORE_TYPES = ['azure_blob', 's3', 'local'] as const;
export const DATASTORE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$/;
/** The server's own blob store, always present. */
export const DEFAULT_DATASTORE = 'workspaceblobstore';

const SecretRef = z.string().regex(/^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_.-]*\s*\}\}$/, 'credentials are secret references: ${{secrets.NAME}} (store the value with `lathe secret set NAME`)');

const Common = {
  $schema: z.string().optional(),
  name: z.string().regex(DATASTORE_NAME_PATTERN, 'a datastore name has letters, digits, _ and -'),
  description: z.string().optional(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
};

/** The Azure ML datastore YAML (azure_blob), plus Lathe's `local` and `s3`. */
export const DatastoreYaml = z.discriminatedUnion('type', [
  z.strictObject({
    ...Common,
    type: z.literal('azure_blob'),
    account_name: z.string().min(1),
    container_name: z.string().min(1),
    /** `core.windows.net` (Azure ML), or a full service URL such as Azurite's `http://127.0.0.1:10000/devstoreaccount1`. */
    endpoint: z.string().default('core.windows.net'),
    protocol: z.enum(['https', 'http']).default('https'),
    credentials: z.union([z.strictObject({ account_key: SecretRef }), z.strictObject({ sas_token: SecretRef })]).optional(),
  }),
  z.strictObject({
    ...Common,
    type: z.literal('s3'),
    bucket: z.string().min(1),
    endpoint: z.string().url().optional(),
    region: z.string().default('us-east-1'),
    credentials: z.strictObject({ access_key_id: SecretRef, secret_access_key: SecretRef }).optional(),
  }),
  z.strictObject({
    ...Common,
    type: z.literal('local'),
    /** An absolute folder on the server host. */
    path: z.string().min(1),
  }),
]);
export type DatastoreYaml = z.infer<typeof DatastoreYaml>;

export const Datastore = z.object({
  name: z.string(),
  type: z.enum([...DATASTORE_TYPES, 'workspace']),
  description: z.string().nullable(),
  tags: StringMap,
  /** The definition with every credential shown as its secret reference (never a value). */
  settings: z.record(z.string(), z.unknown()),
  is_default: z.boolean(),
  user: z.string(),
  created_at: Millis,
  updated_at: Millis,
});
export type Datastore = z.infer<typeof Datastore>;

export const DatastoreFile = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  etag: z.string().optional(),
  modified_at: Millis.optional(),
});
export type DatastoreFile = z.infer<typeof DatastoreFile>;

export const ListDatastoreFilesQuery = z.object({ prefix: z.string().default(''), max_results: z.coerce.number().int().min(1).max(100_000).optional() });
export const DatastoreFilePath = z.object({ path: z.string().min(1) });
