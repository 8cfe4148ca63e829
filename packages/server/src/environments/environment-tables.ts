/**
 * The environments table's types. Kept with the area (and joined onto the shared
 * Database type with Kysely's `withTables`) so this area does not edit db/schema.ts.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface EnvironmentsTable {
  workspace_id: number;
  name: string;
  version: number;
  description: string | null;
  /** JSON object of string tags. */
  tags: string;
  /** JSON of the definition as submitted. */
  definition: string;
  /** JSON of the normalised EnvironmentSpec. */
  spec: string;
  /** sha256 of the build inputs; null when there is nothing to build. */
  hash: string | null;
  user_id: number | null;
  created_at: number;
}

export interface EnvironmentTables {
  environments: EnvironmentsTable;
}

export type EnvironmentDb = Kysely<Database & EnvironmentTables>;
