/**
 * Frozen in time: the model registry, and what MLflow's API records beyond Lathe's runs
 * (run inputs, logged-model history lives in tags, multipart uploads).
 */
import type { Kysely } from 'kysely';

const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const autoId = pg ? 'bigserial' : 'integer';
  const id = (b: any) => (pg ? b.primaryKey() : b.primaryKey().autoIncrement());

  await db.schema.createTable('registered_models')
    .addColumn('id', autoId, id)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('registered_models_ws_name', ['workspace_id', 'name'])
    .execute();

  await db.schema.createTable('registered_model_tags')
    .addColumn('model_id', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_model_tags_pk', ['model_id', 'key'])
    .execute();

  await db.schema.createTable('model_aliases')
    .addColumn('model_id', 'bigint', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_id', 'alias'])
    .execute();

  await db.schema.createTable('model_versions')
    .addColumn('model_id', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('run_link', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('None'))
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('snapshot_id', 'text')
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('mlmodel', 'text')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_versions_pk', ['model_id', 'version'])
    .execute();
  await db.schema.createIndex('model_versions_run').on('model_versions').column('run_id').execute();

  await db.schema.createTable('model_version_tags')
    .addColumn('model_id', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['model_id', 'version', 'key'])
    .execute();

  await db.schema.createTable('run_inputs')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'name', 'digest'])
    .execute();

  await db.schema.createTable('multipart_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('num_parts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('experiment_artifact_locations')
    .addColumn('experiment_id', 'bigint', (c) => c.primaryKey())
    .addColumn('location', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['experiment_artifact_locations', 'multipart_uploads', 'run_inputs', 'model_version_tags', 'model_versions', 'model_aliases', 'registered_model_tags', 'registered_models']) {
    await db.schema.dropTable(t).execute();
  }
}
