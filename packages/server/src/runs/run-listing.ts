import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { invalid, MLFLOW_STATUS_BY_RUN_STATUS, RUN_STATUSES, type ListRunsQuery, type RunStatus } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { parseRunFilter, type FilterCondition } from '../search/search-filter.js';

export interface ListFilter {
  wsId: number;
  experimentIds?: number[];
  query: ListRunsQuery;
  /** Conditions in MLflow's grammar (Lathe's `filter` parameter, MLflow's search). */
  filter?: string | undefined;
  /** Several sort keys (MLflow's order_by list); the first wins, the rest break ties. */
  orderBy?: string[] | undefined;
  /** Which lifecycle stage to list; default active (deleted too with include_deleted). */
  lifecycle?: 'active' | 'deleted' | 'all' | undefined;
}

interface Order {
  kind: 'attribute' | 'metrics' | 'params' | 'tags';
  field: string;
  desc: boolean;
}

/** Attribute names accepted in order_by, including MLflow's, mapped to columns. */
const ORDER_COLUMNS: Record<string, 'created_at' | 'started_at' | 'ended_at' | 'display_name' | 'status'> = {
  created_at: 'created_at', started_at: 'started_at', ended_at: 'ended_at', display_name: 'display_name', status: 'status',
  start_time: 'created_at', end_time: 'ended_at', run_name: 'display_name', created: 'created_at',
};

const NULLABLE_ORDER_COLUMNS = new Set(['started_at', 'ended_at']);

/** Parse `created_at DESC`, `metrics.loss ASC`, `params.lr`, `tags."my tag" DESC`, `attributes.start_time`. */
export function parseOrderBy(orderBy: string | undefined): Order {
  if (!orderBy) return { kind: 'attribute', field: 'created_at', desc: true };
  const m = /^\s*(?:(metrics|params|tags|attributes|attribute)\.)?([`"]?)([^`"]+?)\2\s*(ASC|DESC)?\s*$/i.exec(orderBy);
  if (!m) throw invalid(`invalid order_by '${orderBy}': use a field then ASC or DESC, e.g. 'created_at DESC' or 'metrics.loss ASC'`);
  const prefix = m[1]?.toLowerCase();
  const kind = (prefix === undefined || prefix.startsWith('attribute') ? 'attribute' : prefix) as Order['kind'];
  let field = m[3]!;
  if (kind === 'attribute') {
    const col = ORDER_COLUMNS[field];
    if (!col) throw invalid(`cannot order runs by '${field}'; use one of ${Object.keys(ORDER_COLUMNS).join(', ')}, or metrics.<key>, params.<key>, tags.<key>`);
    field = col;
  }
  return { kind, field, desc: (m[4] ?? (kind === 'attribute' ? 'DESC' : 'ASC')).toUpperCase() === 'DESC' };
}

function parseTagFilters(tag: string | string[] | undefined): Array<[string, string | null]> {
  const list = tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];
  return list.map((t) => {
    const i = t.indexOf('=');
    return i < 0 ? [t, null] : [t.slice(0, i), t.slice(i + 1)];
  });
}

/** A status in a filter may be Lathe's (`Completed`) or MLflow's (`FINISHED`). */
function statusesFor(value: string): RunStatus[] {
  const exact = RUN_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (exact) return [exact];
  const fromMlflow = RUN_STATUSES.filter((s) => MLFLOW_STATUS_BY_RUN_STATUS[s] === value.toUpperCase());
  if (fromMlflow.length) return fromMlflow;
  throw invalid(`unknown status '${value}'; use ${RUN_STATUSES.join(', ')} or MLflow's RUNNING, SCHEDULED, FINISHED, FAILED, KILLED`);
}

type Eb = ExpressionBuilder<Database & { runs: Database['runs'] }, 'runs'>;

function compare(eb: Eb, column: Expression<unknown>, c: FilterCondition): Expression<SqlBool> {
  const v = c.value;
  switch (c.op) {
    case 'LIKE':
      return eb(column as never, 'like', v as never);
    case 'ILIKE':
      return eb(eb.fn('lower', [column as never]), 'like', (v as string).toLowerCase());
    case 'IN':
      return eb(column as never, 'in', v as never);
    case 'NOT IN':
      return eb(column as never, 'not in', v as never);
    case 'IS NULL':
      return eb(column as never, 'is', null);
    case 'IS NOT NULL':
      return eb(column as never, 'is not', null);
    default:
      return eb(column as never, c.op === '!=' ? '<>' : c.op, v as never);
  }
}

function conditionSql(eb: Eb, c: FilterCondition): Expression<SqlBool> {
  if (c.entity === 'metric') {
    const sub = eb.selectFrom('latest_metrics').select(sql`1`.as('one')).whereRef('latest_metrics.run_id', '=', 'runs.id').where('latest_metrics.key', '=', c.key);
    if (c.op === 'IS NULL') return eb.not(eb.exists(sub));
    if (c.op === 'IS NOT NULL') return eb.exists(sub);
    return eb.exists(sub.where((e) => compare(e as unknown as Eb, e.ref('latest_metrics.value'), c)));
  }
  if (c.entity === 'param' || c.entity === 'tag') {
    const table = c.entity === 'param' ? 'run_params' : 'run_tags';
    const sub = eb.selectFrom(table).select(sql`1`.as('one')).whereRef(`${table}.run_id`, '=', 'runs.id').where(`${table}.key`, '=', c.key);
    if (c.op === 'IS NULL') return eb.not(eb.exists(sub));
    if (c.op === 'IS NOT NULL') return eb.exists(sub);
    return eb.exists(sub.where((e) => compare(e as unknown as Eb, e.ref(`${table}.value`), c)));
  }
  switch (c.key) {
    case 'status': {
      const values = Array.isArray(c.value) ? c.value : [String(c.value)];
      const statuses = values.flatMap(statusesFor);
      const negate = c.op === '!=' || c.op === 'NOT IN';
      if (!['=', '!=', 'IN', 'NOT IN'].includes(c.op)) throw invalid('invalid filter: status supports =, !=, IN and NOT IN');
      return eb('runs.status', negate ? 'not in' : 'in', statuses);
    }
    case 'run_name':
      return compare(eb, eb.ref('runs.display_name'), c);
    case 'run_id':
      return compare(eb, eb.ref('runs.id'), c);
    case 'compute':
      return compare(eb, eb.ref('runs.compute'), c);
    case 'experiment_id':
      return compare(eb, eb.ref('runs.experiment_id'), { ...c, value: Array.isArray(c.value) ? c.value.map(Number) as never : Number(c.value) });
    case 'user_id':
      return eb.exists(eb.selectFrom('users').select(sql`1`.as('one')).whereRef('users.id', '=', 'runs.user_id').where((e) => compare(e as unknown as Eb, e.ref('users.name'), c)));
    case 'start_time':
    case 'created':
      return compare(eb, eb.ref('runs.created_at'), c);
    case 'end_time':
      return compare(eb, eb.ref('runs.ended_at'), c);
    default:
      throw invalid(`invalid filter: attribute '${c.key}' cannot be filtered on`);
  }
}

/** The sort keys of a listing: MLflow's order_by list, or Lathe's one order_by. */
export function runOrders(f: ListFilter): Order[] {
  return (f.orderBy?.length ? f.orderBy : [f.query.order_by]).map(parseOrderBy);
}

/**
 * When the first sort key is a metric, the listing is two runs of rows: those with a value
 * (ordered by it) and then those without one (no such metric, or NaN). `split` builds one
 * of the two alone, so each can be served by an index (see run-page.ts).
 */
export type MetricSplit = 'with-value' | 'without-value';

/** Build the filtered, ordered query over runs; the caller pages it. */
export function buildRunQuery(db: Db, f: ListFilter, split?: MetricSplit) {
  const q = f.query;
  const orders = runOrders(f);
  const first = orders[0]!;
  const fromRuns = db.selectFrom('runs').selectAll('runs');
  // Runs with a value of the first sort key's metric, read along its (key, value) index:
  // CROSS JOIN makes SQLite keep latest_metrics as the outer loop (with full statistics it
  // would otherwise read every run of a big experiment and sort them); the later clauses
  // only name runs' columns, so the builder is typed as the plain one.
  let query = split === 'with-value' && first.kind === 'metrics'
    ? db.selectFrom('latest_metrics as om0').crossJoin('runs').selectAll('runs')
      .whereRef('om0.run_id', '=', 'runs.id').where('om0.key', '=', first.field).where('om0.value', 'is not', null) as unknown as typeof fromRuns
    : fromRuns;
  query = query.where('runs.workspace_id', '=', f.wsId);
  if (f.experimentIds !== undefined) query = query.where('runs.experiment_id', 'in', f.experimentIds.length ? f.experimentIds : [-1]);
  const lifecycle = f.lifecycle ?? (q.include_deleted ? 'all' : 'active');
  if (lifecycle !== 'all') query = query.where('runs.lifecycle_stage', '=', lifecycle);
  if (q.status) {
    const statuses = q.status.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of statuses) {
      if (!(RUN_STATUSES as readonly string[]).includes(s)) throw invalid(`unknown status '${s}'; statuses are ${RUN_STATUSES.join(', ')}`);
    }
    query = query.where('runs.status', 'in', statuses);
  }
  if (q.parent_run_id !== undefined) {
    query = q.parent_run_id === '' ? query.where('runs.parent_run_id', 'is', null) : query.where('runs.parent_run_id', '=', q.parent_run_id);
  }
  if (q.created_after !== undefined) query = query.where('runs.created_at', '>=', q.created_after);
  if (q.created_before !== undefined) query = query.where('runs.created_at', '<', q.created_before);
  for (const [key, value] of parseTagFilters(q.tag)) {
    query = query.where((eb) =>
      eb.exists(
        eb.selectFrom('run_tags').select(sql`1`.as('one')).whereRef('run_tags.run_id', '=', 'runs.id').where('run_tags.key', '=', key)
          .$if(value !== null, (s) => s.where('run_tags.value', '=', value!)),
      ),
    );
  }
  for (const c of parseRunFilter(f.filter ?? q.filter)) query = query.where((eb) => conditionSql(eb as Eb, c));

  orders.forEach((order, i) => {
    const dir = order.desc ? 'desc' : 'asc';
    if (i === 0 && split !== undefined && order.kind === 'metrics') {
      const valued = (eb: ExpressionBuilder<Database, 'latest_metrics'>) => eb.and([eb('latest_metrics.key', '=', order.field), eb('latest_metrics.value', 'is not', null)]);
      query = split === 'with-value'
        ? query.orderBy(sql.ref('om0.value'), dir)
        : query.where((eb) => eb.not(eb.exists(eb.selectFrom('latest_metrics').select(sql`1`.as('one')).whereRef('latest_metrics.run_id', '=', 'runs.id').where(valued))));
    } else if (order.kind === 'attribute') {
      const col = `runs.${order.field}` as 'runs.created_at';
      // Nulls last either way (a run that has not started sorts after those that have);
      // created_at is never null, and leaving the term out lets an index give the order.
      if (NULLABLE_ORDER_COLUMNS.has(order.field)) query = query.orderBy(sql`${sql.ref(col)} is null`);
      query = query.orderBy(col, dir);
    } else if (order.kind === 'metrics') {
      const alias = `om${i}`;
      query = query
        .leftJoin(`latest_metrics as ${alias}` as 'latest_metrics', (j) => j.onRef(`${alias}.run_id` as 'latest_metrics.run_id', '=', 'runs.id').on(`${alias}.key` as 'latest_metrics.key', '=', order.field))
        .orderBy(sql`${sql.ref(`${alias}.value`)} is null`).orderBy(sql.ref(`${alias}.value`), dir);
    } else {
      const table = order.kind === 'params' ? 'run_params' : 'run_tags';
      const alias = `okv${i}`;
      query = query
        .leftJoin(`${table} as ${alias}` as 'run_tags', (j) => j.onRef(`${alias}.run_id` as 'run_tags.run_id', '=', 'runs.id').on(`${alias}.key` as 'run_tags.key', '=', order.field))
        .orderBy(sql`${sql.ref(`${alias}.value`)} is null`).orderBy(sql.ref(`${alias}.value`), dir);
    }
  });
  // Newest first, then id: the same direction, so (experiment_id, created_at, id) serves it.
  return query.orderBy('runs.created_at', 'desc').orderBy('runs.id', 'desc');
}
