import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { buildRunQuery, runOrders, type ListFilter } from './run-listing.js';
import type { RunRow } from './run-mapper.js';

/** Pages this deep or less, sorted first by a metric, are walked along the metric's index. */
const INDEX_WALK_MAX_ROWS = 1000;
/** Below this many runs in scope, sorting them all is cheaper than walking the index. */
const LARGE_SCOPE = 2000;

/** How many runs the listing's scope (workspace, experiments) holds, counted up to `cap`. */
async function scopeSize(db: Db, f: ListFilter, cap: number): Promise<number> {
  let scope = db.selectFrom('runs').select(sql`1`.as('one')).where('runs.workspace_id', '=', f.wsId);
  if (f.experimentIds !== undefined) scope = scope.where('runs.experiment_id', 'in', f.experimentIds.length ? f.experimentIds : [-1]);
  const row = await db.selectFrom(scope.limit(cap).as('scope')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of a run listing. Sorted first by a metric, the plain query reads every run in
 * scope to sort it (80 ms for 100,000 runs); a first page is instead read along the
 * metric's (key, value) index, stopping after the page (under 1 ms), then topped up from
 * the runs without a value when the page reaches past those with one. Deep pages, small
 * scopes and a page whose start lies past the valued runs take the plain query: the
 * same rows in the same order either way.
 */
export async function pageOfRuns(db: Db, f: ListFilter, limit: number, offset: number): Promise<RunRow[]> {
  const first = runOrders(f)[0]!;
  if (first.kind === 'metrics' && offset + limit <= INDEX_WALK_MAX_ROWS && (await scopeSize(db, f, LARGE_SCOPE)) >= LARGE_SCOPE) {
    const valued = (await buildRunQuery(db, f, 'with-value').limit(limit).offset(offset).execute()) as RunRow[];
    if (valued.length === limit) return valued;
    // The valued runs end on this page (or there are none): the rest comes from the start of the others.
    if (valued.length > 0 || offset === 0) {
      const others = (await buildRunQuery(db, f, 'without-value').limit(limit - valued.length).execute()) as RunRow[];
      return [...valued, ...others];
    }
  }
  return (await buildRunQuery(db, f).limit(limit).offset(offset).execute()) as RunRow[];
}
