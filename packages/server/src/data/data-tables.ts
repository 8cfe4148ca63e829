/**
 * The data area's table types (secrets, datastores, data versions, lineage), joined onto
 * the shared Database type as the endpoints area does, so db/schema.ts stays untouched.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface SecretsTable {
  workspace_id: number;
  name: string;
  version: number;
  ciphertext: string;
  iv: string;
  tag: string;
  key_id: string;
  user_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface DatastoresTable {
  workspace_id: number;
  name: string;
  type: string;
  description: string | null;
  tags: string;
  settings: string;
  user_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface DataVersionsTable {
  workspace_id: number;
  name: string;
  version: number;
  type: string;
  datastore: string;
  path: string;
  description: string | null;
  tags: string;
  properties: string;
  files: string;
  file_count: number;
  total_bytes: number;
  table_profile: string | null;
  snapshot_id: string | null;
  run_id: string | null;
  user_id: number | null;
  created_at: number;
}

export interface DataLineageTable {
  workspace_id: number;
  run_id: string;
  name: string;
  version: number;
  direction: string;
  port: string;
  created_at: number;
}

export interface DataTables {
  secrets: SecretsTable;
  datastores: DatastoresTable;
  data_versions: DataVersionsTable;
  data_lineage: DataLineageTable;
}

export type DataDb = Kysely<Database & DataTables>;
