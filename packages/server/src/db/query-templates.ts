import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';

/** A database or a transaction: anything that runs a compiled query. */
interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * Kysely builds and compiles a query on every call, which costs more than SQLite takes
 * to run a small insert. A hot path whose query has a fixed shape compiles it once per
 * shape and afterwards binds fresh values to the same SQL text (which the dialect's
 * statement cache also recognises). The first call checks that the values the caller
 * flattens are exactly the parameters Kysely produced, so a template can never bind
 * values in the wrong order; if they differ, that shape is simply never cached.
 */
export class QueryTemplates {
  private readonly sql = new Map<string, string>();

  async execute<R>(db: QueryRunner, shape: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<QueryResult<R>> {
    const known = this.sql.get(shape);
    if (known !== undefined) return db.executeQuery<R>(CompiledQuery.raw(known, [...parameters]));
    const compiled = build().compile();
    const same = compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i]);
    if (same) this.sql.set(shape, compiled.sql);
    return db.executeQuery<R>(compiled);
  }
}
