/**
 * Frozen in time: environment versions. One row per (workspace, name, version); the
 * definition as submitted, its normalised spec and the hash that names its build.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('environments')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('hash', 'text')
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('environments_pk', ['workspace_id', 'name', 'version'])
    .execute();
  await db.schema.createIndex('environments_ws_hash').on('environments').columns(['workspace_id', 'hash']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('environments').execute();
}
