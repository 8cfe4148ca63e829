/**
 * Frozen in time: endpoint keys are kept sealed under the master key. `key_id` names the
 * master key that sealed a row's `primary_key` and `secondary_key`; NULL marks a row
 * written before this migration, whose keys are still plaintext. This migration cannot
 * encrypt them (the master key lives outside the database and migrations import no app
 * code): the endpoints area seals such rows at server start, before it serves.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('online_endpoints').addColumn('key_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('online_endpoints').dropColumn('key_id').execute();
}
