import { Kysely, Migrator, type Dialect } from 'kysely';
import { LatheError } from '@lathe/contract';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { pickByScheme } from '../scheme-registry.js';

export type Db = Kysely<Database>;

/** How to open one kind of database, picked by the URL's scheme. */
export type DialectFactory = (url: URL) => Promise<Dialect>;

export interface OpenedDatabase {
  db: Db;
  close(): Promise<void>;
}

/**
 * Open the metadata database named by `url` with the factory registered for its scheme,
 * then bring its schema up to date.
 */
export async function openDatabase(url: string, dialects: Record<string, DialectFactory>): Promise<OpenedDatabase> {
  const picked = pickByScheme(url, dialects, 'database');
  const db = new Kysely<Database>({ dialect: await picked.factory(picked.url) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new LatheError('INTERNAL', `database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
  return { db, close: () => db.destroy() };
}
