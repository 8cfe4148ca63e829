/**
 * Frozen in time: an index to ask whether a workspace holds any blob of a given size, so
 * a large new file can be uploaded while it is hashed instead of hashed first.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('cas_blobs_ws_size').ifNotExists().on('cas_blobs').columns(['workspace_id', 'size']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cas_blobs_ws_size').execute();
}
