/**
 * Frozen in time: the secrets vault, datastores, data asset versions and data lineage.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('secrets')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    /** AES-256-GCM: base64 of ciphertext, 12-byte IV and 16-byte tag. */
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('iv', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secrets_pk', ['workspace_id', 'name'])
    .execute();
  await db.schema.createTable('datastores')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    /** JSON of the YAML definition; credentials are secret references only. */
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('datastores_pk', ['workspace_id', 'name'])
    .execute();
  await db.schema.createTable('data_versions')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('datastore', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    /** JSON: the file list with sizes and hashes/ETags, taken at registration. */
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint', (c) => c.notNull())
    .addColumn('table_profile', 'text')
    /** Files uploaded from a local path, or copied in for a job: a content-addressed snapshot. */
    .addColumn('snapshot_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_versions_pk', ['workspace_id', 'name', 'version'])
    .execute();
  await db.schema.createTable('data_lineage')
    .addColumn('workspace_id', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('port', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_lineage_pk', ['run_id', 'direction', 'port'])
    .execute();
  await db.schema.createIndex('data_lineage_asset').on('data_lineage').columns(['workspace_id', 'name', 'version']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('data_lineage').execute();
  await db.schema.dropTable('data_versions').execute();
  await db.schema.dropTable('datastores').execute();
  await db.schema.dropTable('secrets').execute();
}
