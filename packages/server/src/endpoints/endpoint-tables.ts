/**
 * The endpoints area's table types, joined onto the shared Database type (as the
 * environments area does) so this area does not edit db/schema.ts.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

export interface OnlineEndpointsTable {
  name: string;
  workspace_id: number;
  auth_mode: string;
  description: string | null;
  /** JSON objects. */
  tags: string;
  properties: string;
  traffic: string;
  mirror_traffic: string;
  /**
   * Sealed under the master key (`Keyring.sealText`), as secrets are: get-credentials returns
   * them as Azure ML does, so they are encrypted rather than hashed; never logged.
   */
  primary_key: string;
  secondary_key: string;
  /** The master key that sealed both keys; null: plaintext, written before keys were sealed (sealed at start). */
  key_id: string | null;
  ignored_keys: string;
  user_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface OnlineDeploymentsTable {
  endpoint_name: string;
  name: string;
  workspace_id: number;
  /** JSON of the DeploymentSpec, model reference resolved to a version. */
  spec: string;
  model_name: string | null;
  model_version: number | null;
  model_type: string | null;
  state: string;
  status_message: string | null;
  /** Bumped by every update; replicas of older generations are replaced. */
  generation: number;
  /** The last generation that became ready: it keeps serving when a newer one fails. */
  serving_generation: number | null;
  serving_spec: string | null;
  serving_model_name: string | null;
  serving_model_version: number | null;
  created_at: number;
  updated_at: number;
}

export interface EndpointTables {
  online_endpoints: OnlineEndpointsTable;
  online_deployments: OnlineDeploymentsTable;
}

export type EndpointDb = Kysely<Database & EndpointTables>;
export type EndpointRow = Selectable<OnlineEndpointsTable>;
export type DeploymentRow = Selectable<OnlineDeploymentsTable>;
