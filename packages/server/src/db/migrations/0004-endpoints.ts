/**
 * Frozen in time: online endpoints and their deployments. Endpoint names are unique on
 * the server (the scoring URI `/endpoints/{name}/score` has no workspace in it, as in
 * Azure ML where the name is unique per region).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('online_endpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('auth_mode', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('traffic', 'text', (c) => c.notNull())
    .addColumn('mirror_traffic', 'text', (c) => c.notNull())
    .addColumn('primary_key', 'text', (c) => c.notNull())
    .addColumn('secondary_key', 'text', (c) => c.notNull())
    .addColumn('ignored_keys', 'text', (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('online_endpoints_ws').on('online_endpoints').column('workspace_id').execute();
  await db.schema.createTable('online_deployments')
    .addColumn('endpoint_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text')
    .addColumn('model_version', 'integer')
    .addColumn('model_type', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull())
    // The generation that serves: it keeps serving (and keeps its model in use) when a newer one fails.
    .addColumn('serving_generation', 'integer')
    .addColumn('serving_spec', 'text')
    .addColumn('serving_model_name', 'text')
    .addColumn('serving_model_version', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('online_deployments_pk', ['endpoint_name', 'name'])
    .execute();
  await db.schema.createIndex('online_deployments_model').on('online_deployments').columns(['workspace_id', 'model_name', 'model_version']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('online_deployments').execute();
  await db.schema.dropTable('online_endpoints').execute();
}
