/**
 * Frozen in time: indexes that let the first page of a run list come straight from an
 * index (experiment, newest first, id as the tie-breaker) instead of a sort of every run.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('runs_experiment_created_id').on('runs').columns(['experiment_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('runs_ws_created_id').on('runs').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('run_params_key').on('run_params').columns(['key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['run_params_key', 'runs_ws_created_id', 'runs_experiment_created_id']) await db.schema.dropIndex(i).execute();
}
