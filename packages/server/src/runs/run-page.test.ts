import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/database.js';
import { sqliteDialect } from '../db/sqlite-dialect.js';
import { buildRunQuery, type ListFilter } from './run-listing.js';
import { pageOfRuns } from './run-page.js';

/**
 * pageOfRuns serves a first page sorted by a metric from the metric's index, in two parts
 * (runs with a value, then the others). Whatever the order, filter or page, it must give
 * the rows the plain query gives, in the same order.
 */
describe('pages of a run listing sorted by a metric', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-run-page-'));
  let db: Db;
  let close: () => Promise<void>;
  const RUNS = 2600;

  beforeAll(async () => {
    ({ db, close } = await openDatabase(`sqlite://${pathToFileURL(join(dir, 'db.sqlite')).pathname}`, { sqlite: sqliteDialect }));
    await db.insertInto('users').values({ name: 'u', is_admin: 1, created_at: 0 }).execute();
    await db.insertInto('workspaces').values({ name: 'w', created_at: 0 }).execute();
    await db.insertInto('experiments').values([1, 2].map((id) => ({ id, workspace_id: 1, name: `e${id}`, lifecycle_stage: 'active', created_at: 0, last_update_time: 0 }))).execute();
    const runs = [];
    const metrics = [];
    const params = [];
    for (let i = 0; i < RUNS; i++) {
      const id = `run${String(i).padStart(5, '0')}`;
      runs.push({
        id, workspace_id: 1, experiment_id: i % 10 === 0 ? 2 : 1, parent_run_id: null, display_name: id, description: null,
        status: i % 7 === 0 ? 'Failed' : 'Completed', status_reason: null, user_id: 1, compute: null,
        // Some runs share a creation time, so the last tie-breaker (id) matters too.
        created_at: 1000 + Math.floor(i / 3), started_at: null, ended_at: null, exit_code: null, lifecycle_stage: 'active',
        job: null, agent_pid: null, heartbeat_at: null, cancel_requested: 0, last_update_time: 0,
      });
      // Every fifth run has no loss, every thirteenth a NaN; values repeat, so ties occur.
      if (i % 5 !== 0) metrics.push({ run_id: id, key: 'loss', value: i % 13 === 0 ? null : (i * 37) % 101, is_nan: i % 13 === 0 ? 1 : 0, step: 0, timestamp: 0 });
      params.push({ run_id: id, key: 'lr', value: String(i % 4) });
    }
    for (let i = 0; i < runs.length; i += 200) {
      await db.insertInto('runs').values(runs.slice(i, i + 200)).execute();
      await db.insertInto('run_params').values(params.slice(i, i + 200)).execute();
    }
    for (let i = 0; i < metrics.length; i += 200) await db.insertInto('latest_metrics').values(metrics.slice(i, i + 200)).execute();
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plain = async (f: ListFilter, limit: number, offset: number) => (await buildRunQuery(db, f).limit(limit).offset(offset).execute()).map((r) => r.id);
  const paged = async (f: ListFilter, limit: number, offset: number) => (await pageOfRuns(db, f, limit, offset)).map((r) => r.id);

  const cases: Array<[string, ListFilter]> = [
    ['loss ascending', { wsId: 1, query: { order_by: 'metrics.loss ASC' } }],
    ['loss descending', { wsId: 1, query: { order_by: 'metrics.loss DESC' } }],
    ['loss, then a param', { wsId: 1, query: {}, orderBy: ['metrics.loss ASC', 'params.lr DESC'] }],
    ['one experiment, completed only', { wsId: 1, experimentIds: [1], query: { status: 'Completed', order_by: 'metrics.loss ASC' } }],
    ['a filter in MLflow grammar', { wsId: 1, query: {}, filter: 'metrics.loss < 50', orderBy: ['metrics.loss DESC'] }],
  ];

  for (const [name, f] of cases) {
    it(`gives the plain query's rows: ${name}`, async () => {
      for (const [limit, offset] of [[50, 0], [50, 50], [100, 900], [1, 0]] as const) {
        expect(await paged(f, limit, offset)).toEqual(await plain(f, limit, offset));
      }
    });
  }

  it('reads the runs with a value along the metric index, even when full statistics favour scanning the runs', async () => {
    await sql`ANALYZE`.execute(db);
    const q = buildRunQuery(db, { wsId: 1, experimentIds: [1], query: { order_by: 'metrics.loss ASC' } }, 'with-value').limit(50).compile();
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]));
    expect(rows[0]!.detail).toMatch(/^SEARCH om0 USING INDEX latest_metrics_key_value/);
  });

  it('tops a page up with the runs without a value, where the valued ones end', async () => {
    // A quarter of the runs: ~520 with a loss, ~130 without, so the boundary is within reach of the index walk.
    const f: ListFilter = { wsId: 1, query: {}, filter: "params.lr = '1'", orderBy: ['metrics.loss ASC'] };
    const all = await plain(f, 5000, 0);
    const valuedCount = (await buildRunQuery(db, f, 'with-value').execute()).length;
    expect(valuedCount).toBeGreaterThan(0);
    expect(valuedCount).toBeLessThan(all.length);
    const straddling = Math.max(0, valuedCount - 10);
    expect(await paged(f, 50, straddling)).toEqual(all.slice(straddling, straddling + 50));
    // A page that starts past the valued runs.
    expect(await paged(f, 50, valuedCount + 5)).toEqual(all.slice(valuedCount + 5, valuedCount + 55));
  });
});
