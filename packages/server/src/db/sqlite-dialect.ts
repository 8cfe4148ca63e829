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
  // Without statistics the planner can pick a workspace-wide index over a selective one
  // (a small experiment in a big workspace: 70 ms instead of 1 ms); this gathers them
  // where they are missing or stale, cheaply (SQLite's advice for long-lived connections).
  if (file !== ':memory:') {
    database.pragma('analysis_limit = 400');
    database.pragma('optimize = 0x10002');
    // A server that runs for weeks sees its tables grow from nothing: refresh them hourly.
    const refresh = setInterval(() => {
      if (!database.open) clearInterval(refresh);
      else database.pragma('optimize');
    }, 3_600_000);
    refresh.unref();
  }
  return new SqliteDialect({ database: withStatementCache(database) });
}

interface PreparingDatabase {
  prepare(sql: string): unknown;
}

/**
 * Kysely prepares every query afresh; better-sqlite3 statements are reusable, and
 * preparing is a large share of a small query's cost. Keep the most recent ones.
 */
function withStatementCache<D extends PreparingDatabase>(database: D, max = 500): D {
  const cache = new Map<string, unknown>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (stmt === undefined) {
          stmt = prepare(sql);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}
