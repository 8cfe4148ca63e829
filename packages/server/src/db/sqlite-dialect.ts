import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect, type Dialect } from 'kysely';

/**
 * SQLite through better-sqlite3, loaded lazily. WAL lets readers run beside the writer;
 * synchronous=NORMAL keeps every committed transaction across a process crash (only an
 * OS crash or power loss can lose the last few).
 */
export async function sqliteDialect(url: URL): Promise<Dialect> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const file = decodeURIComponent(url.pathname);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -65536');
  // LIKE is case-sensitive, as in PostgreSQL and MLflow's search; ILIKE is lower() LIKE lower().
  database.pragma('case_sensitive_like = ON');
  return new SqliteDialect({ database });
}
