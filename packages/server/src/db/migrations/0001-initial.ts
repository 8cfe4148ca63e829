/**
 * Frozen in time: this file never imports application code, so later schema changes
 * cannot alter what it did. Written once for SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const autoId = pg ? 'bigserial' : 'integer';
  const binary = pg ? 'bytea' : 'blob';
  const id = (b: any) => (pg ? b.primaryKey() : b.primaryKey().autoIncrement());

  await db.schema.createTable('settings').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();

  await db.schema.createTable('users')
    .addColumn('id', autoId, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('workspaces')
    .addColumn('id', autoId, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('members')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('members_pk', ['workspace_id', 'user_id'])
    .execute();

  await db.schema.createTable('tokens')
    .addColumn('id', autoId, id)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('workspace_id', 'bigint')
    .addColumn('name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();

  await db.schema.createTable('experiments')
    .addColumn('id', autoId, id)
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_update_time', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('experiments_ws_name', ['workspace_id', 'name'])
    .execute();

  await db.schema.createTable('experiment_tags')
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
    .execute();

  await db.schema.createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('experiment_id', 'bigint', (c) => c.notNull())
    .addColumn('parent_run_id', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('compute', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('exit_code', 'integer')
    .addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('job', 'text')
    .addColumn('agent_pid', 'integer')
    .addColumn('heartbeat_at', 'bigint')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_update_time', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_experiment_created').on('runs').columns(['experiment_id', 'created_at']).execute();
  await db.schema.createIndex('runs_ws_created').on('runs').columns(['workspace_id', 'created_at']).execute();
  await db.schema.createIndex('runs_status').on('runs').columns(['status', 'compute']).execute();
  await db.schema.createIndex('runs_parent').on('runs').column('parent_run_id').execute();

  for (const table of ['run_params', 'run_tags']) {
    await db.schema.createTable(table)
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_id', 'key'])
      .execute();
  }
  await db.schema.createIndex('run_tags_key_value').on('run_tags').columns(['key', 'value']).execute();

  await db.schema.createTable('metric_chunks')
    .addColumn('id', autoId, id)
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('min_step', 'bigint', (c) => c.notNull())
    .addColumn('max_step', 'bigint', (c) => c.notNull())
    .addColumn('data', binary, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('metric_chunks_run_key').on('metric_chunks').columns(['run_id', 'key', 'id']).execute();

  await db.schema.createTable('latest_metrics')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('is_nan', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('latest_metrics_pk', ['run_id', 'key'])
    .execute();
  await db.schema.createIndex('latest_metrics_key_value').on('latest_metrics').columns(['key', 'value']).execute();

  await db.schema.createTable('idempotency_keys')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['run_id', 'key'])
    .execute();

  await db.schema.createTable('artifacts')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('artifacts_pk', ['run_id', 'path'])
    .execute();

  await db.schema.createTable('cas_blobs')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cas_blobs_pk', ['workspace_id', 'sha256'])
    .execute();

  await db.schema.createTable('snapshots')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('snapshots_pk', ['workspace_id', 'id'])
    .execute();

  await db.schema.createTable('log_chunks')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_chunks_pk', ['run_id', 'offset'])
    .execute();

  await db.schema.createTable('computes')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('slots', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('computes_pk', ['workspace_id', 'name'])
    .execute();

}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['computes', 'log_chunks', 'snapshots', 'cas_blobs', 'artifacts', 'idempotency_keys', 'latest_metrics', 'metric_chunks', 'run_tags', 'run_params', 'runs', 'experiment_tags', 'experiments', 'tokens', 'members', 'workspaces', 'users', 'settings']) {
    await db.schema.dropTable(t).execute();
  }
}
