import { sql } from 'kysely';
import { invalid, RUN_ORDER_FIELDS, RUN_STATUSES, type ListRunsQuery } from '@lathe/contract';
import type { Db } from '../db/database.js';

export interface ListFilter {
  wsId: number;
  experimentId?: number;
  query: ListRunsQuery;
}

interface Order {
  kind: 'attribute' | 'metrics' | 'params' | 'tags';
  field: string;
  desc: boolean;
}

/** Parse `created_at DESC`, `metrics.loss ASC`, `params.lr`, `tags."my tag" DESC`. */
export function parseOrderBy(orderBy: string | undefined): Order {
  if (!orderBy) return { kind: 'attribute', field: 'created_at', desc: true };
  const m = /^\s*(?:(metrics|params|tags)\.)?("?)([^"]+?)\2\s*(ASC|DESC)?\s*$/i.exec(orderBy);
  if (!m) throw invalid(`invalid order_by '${orderBy}': use a field then ASC or DESC, e.g. 'created_at DESC' or 'metrics.loss ASC'`);
  const kind = (m[1]?.toLowerCase() ?? 'attribute') as Order['kind'];
  const field = m[3]!;
  if (kind === 'attribute' && !(RUN_ORDER_FIELDS as readonly string[]).includes(field)) {
    throw invalid(`cannot order runs by '${field}'; use one of ${RUN_ORDER_FIELDS.join(', ')}, or metrics.<key>, params.<key>, tags.<key>`);
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

/** Build the filtered, ordered query over runs; the caller pages it. */
export function buildRunQuery(db: Db, f: ListFilter) {
  const q = f.query;
  let query = db.selectFrom('runs').selectAll('runs').where('runs.workspace_id', '=', f.wsId);
  if (f.experimentId !== undefined) query = query.where('runs.experiment_id', '=', f.experimentId);
  if (!q.include_deleted) query = query.where('runs.lifecycle_stage', '=', 'active');
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
  const order = parseOrderBy(q.order_by);
  const dir = order.desc ? 'desc' : 'asc';
  if (order.kind === 'attribute') {
    const col = `runs.${order.field}` as 'runs.created_at';
    // Nulls last either way (a run that has not started sorts after those that have).
    query = query.orderBy(sql`${sql.ref(col)} is null`).orderBy(col, dir);
  } else if (order.kind === 'metrics') {
    query = query
      .leftJoin('latest_metrics as om', (j) => j.onRef('om.run_id', '=', 'runs.id').on('om.key', '=', order.field))
      .orderBy(sql`om.value is null`).orderBy('om.value', dir);
  } else {
    const table = order.kind === 'params' ? 'run_params' : 'run_tags';
    query = query
      .leftJoin(`${table} as okv`, (j) => j.onRef('okv.run_id', '=', 'runs.id').on('okv.key', '=', order.field))
      .orderBy(sql`okv.value is null`).orderBy('okv.value', dir);
  }
  return query.orderBy('runs.created_at', 'desc').orderBy('runs.id', 'asc');
}
