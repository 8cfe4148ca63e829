#!/usr/bin/env node
/**
 * Listing the first page of runs, filtered and sorted, in an experiment of 100,000 runs.
 *
 * The server runs in this process. The experiment (and a second one of 10,000 runs, so the
 * experiment filter has something to exclude) is created through the API, the server is
 * stopped, and 110,000 runs are written straight into its SQLite file: each a Completed,
 * Failed, Canceled or Running command job (60/20/10/10 %), with 3 tags, 4 params and the
 * latest metrics `loss` and `accuracy`. The server is started again on the same data and
 *
 *   GET /api/v1/workspaces/default/runs?experiment=E&status=Completed&order_by=metrics.loss%20ASC&max_results=50
 *   GET ...&order_by=created_at%20DESC
 *
 * are each timed over 30 requests after a warm-up (median, p95). Baseline, in the same run,
 * on the same database file through better-sqlite3 (interleaved with the requests): the
 * same page in plain SQL (the same WHERE and order, LIMIT 50, no index hints) plus the
 * three queries that load the page's params, tags and latest metrics, i.e. the same data
 * the API returns. The API's page is checked against the SQL's.
 * For information, an index-friendly formulation of each query is timed too.
 *
 * Env: BENCH_RUNS (default 100,000), BENCH_LIST_REPS (30).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fmtInt, fmtMs, fmtRatio, log, now, openSqlite, report, startInProcess, stats } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);

const REPS = Number(process.env.BENCH_LIST_REPS ?? 30);
const PAGE = 50;
const GOAL_MS = 50;
const EXPERIMENT = 'bench-listing';
const OTHER = 'bench-listing-other';
const STATUSES = ['Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Failed', 'Failed', 'Canceled', 'Running'];

/** A deterministic pseudo-random number in [0, 1) per (i, salt). */
const rnd = (i, salt) => {
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 2246822507) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 3266489909) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x / 4294967296;
};

function seed(dbFile, { wsId, userId, expId, otherExpId }) {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const cols = new Set(db.prepare('PRAGMA table_info(runs)').all().map((c) => c.name));
  const row = {
    id: '', workspace_id: wsId, experiment_id: 0, parent_run_id: null, display_name: '', description: null, status: '',
    status_reason: null, user_id: userId, compute: 'local', created_at: 0, started_at: null, ended_at: null, exit_code: null,
    lifecycle_stage: 'active', job: null, agent_pid: null, heartbeat_at: null, cancel_requested: 0, last_update_time: 0,
  };
  const names = Object.keys(row).filter((k) => cols.has(k));
  const insRun = db.prepare(`INSERT INTO runs (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`);
  const insTag = db.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
  const insParam = db.prepare('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
  const insMetric = db.prepare('INSERT INTO latest_metrics (run_id, key, value, is_nan, step, timestamp) VALUES (?, ?, ?, 0, ?, ?)');
  const t0 = Date.now() - Math.ceil(RUNS * 1.1) * 60_000;
  const one = (i, expId, expName) => {
    const id = `bench_run_${String(i).padStart(7, '0')}`;
    const status = STATUSES[i % STATUSES.length];
    const created = t0 + i * 60_000 + Math.floor(rnd(i, 1) * 30_000);
    const lr = [0.1, 0.03, 0.01, 0.003, 0.001][i % 5];
    const job = {
      name: id, experiment_name: expName, tags: {}, properties: {}, command: `python train.py --lr ${lr} --epochs 10`,
      code_snapshot_id: null, environment_variables: {}, compute: 'local', timeout_seconds: null, inputs: {}, outputs: {}, ignored: {},
    };
    const r = {
      ...row, id, experiment_id: expId, display_name: `run-${i}`, status, created_at: created,
      started_at: status !== 'Canceled' ? created + 500 : null,
      ended_at: status === 'Running' ? null : created + 45_000, exit_code: status === 'Completed' ? 0 : status === 'Failed' ? 1 : null,
      job: JSON.stringify(job), last_update_time: created + 45_000,
    };
    insRun.run(Object.fromEntries(names.map((n) => [n, r[n]])));
    insTag.run(id, 'team', ['vision', 'nlp', 'speech'][i % 3]);
    insTag.run(id, 'model', ['resnet50', 'vit-b16', 'mlp'][Math.floor(rnd(i, 2) * 3)]);
    insTag.run(id, 'dataset', 'cifar10');
    insParam.run(id, 'lr', String(lr));
    insParam.run(id, 'batch_size', String([32, 64, 128][i % 3]));
    insParam.run(id, 'epochs', '10');
    insParam.run(id, 'optimizer', i % 2 ? 'adam' : 'sgd');
    insMetric.run(id, 'loss', 0.05 + rnd(i, 3) * 2, 999, created + 45_000);
    insMetric.run(id, 'accuracy', 0.5 + rnd(i, 4) * 0.5, 999, created + 45_000);
  };
  // Every 11th run goes to the other experiment: the two are interleaved in time, as real work would be.
  const tx = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      if (i % 11 === 10) one(i, otherExpId, OTHER);
      else one(i, expId, EXPERIMENT);
    }
  });
  const total = Math.ceil(RUNS * 11 / 10);
  for (let from = 0; from < total; from += 1000) tx(from, Math.min(total, from + 1000));
  const counts = db.prepare('SELECT experiment_id, count(*) AS n FROM runs GROUP BY experiment_id').all();
  db.close();
  return counts;
}

// ------------------------------------------------------------ the SQL baseline

/**
 * The same page in plain SQL, as one would write it by hand: the API's WHERE, its order
 * (metric ascending with runs lacking it last; newest first), ties broken by newest then
 * id, LIMIT 50. No index hints: SQLite plans it on the server's own schema and indexes.
 */
const PAGE_SQL = {
  loss: `SELECT runs.* FROM runs
    LEFT JOIN latest_metrics om ON om.run_id = runs.id AND om.key = 'loss'
    WHERE runs.workspace_id = @ws AND runs.experiment_id = @exp AND runs.lifecycle_stage = 'active' AND runs.status IN ('Completed')
    ORDER BY om.value ASC NULLS LAST, runs.created_at DESC, runs.id DESC LIMIT ${PAGE}`,
  created: `SELECT runs.* FROM runs
    WHERE runs.workspace_id = @ws AND runs.experiment_id = @exp AND runs.lifecycle_stage = 'active' AND runs.status IN ('Completed')
    ORDER BY runs.created_at DESC, runs.id DESC LIMIT ${PAGE}`,
};

/**
 * The same pages, written so an index must drive the order (for information): walk
 * latest_metrics by (key, value), or runs by (experiment_id, created_at). Runs without a
 * loss would follow; with a full first page of runs that have one, they are not needed.
 */
const INDEXED_SQL = {
  loss: `SELECT runs.* FROM latest_metrics om INDEXED BY latest_metrics_key_value
    JOIN runs ON runs.id = om.run_id
    WHERE om.key = 'loss' AND om.value IS NOT NULL AND runs.workspace_id = @ws AND runs.experiment_id = @exp AND runs.lifecycle_stage = 'active' AND runs.status IN ('Completed')
    ORDER BY om.value ASC, runs.created_at DESC, runs.id DESC LIMIT ${PAGE}`,
  created: `SELECT runs.* FROM runs INDEXED BY runs_experiment_created
    WHERE runs.experiment_id = @exp AND runs.workspace_id = @ws AND runs.lifecycle_stage = 'active' AND runs.status IN ('Completed')
    ORDER BY runs.created_at DESC, runs.id DESC LIMIT ${PAGE}`,
};

function rawPage(db, stmt, hydrate, args) {
  const rows = stmt.all(args);
  const ids = rows.map((r) => r.id);
  const ph = ids.map(() => '?').join(',');
  const params = hydrate.params(ph).all(ids);
  const tags = hydrate.tags(ph).all(ids);
  const metrics = hydrate.metrics(ph).all(ids);
  for (const r of rows) if (r.job) r.job = JSON.parse(r.job);
  return { rows, params, tags, metrics };
}

/** A raw-SQL page maker for one statement: `page()` returns the ids; timings are kept. */
function rawTimer(db, sql, args) {
  const stmt = db.prepare(sql);
  const cache = new Map();
  const prep = (key, text) => (ph) => {
    const k = `${key}:${ph.length}`;
    if (!cache.has(k)) cache.set(k, db.prepare(text(ph)));
    return cache.get(k);
  };
  const hydrate = {
    params: prep('p', (ph) => `SELECT run_id, key, value FROM run_params WHERE run_id IN (${ph})`),
    tags: prep('t', (ph) => `SELECT run_id, key, value FROM run_tags WHERE run_id IN (${ph})`),
    metrics: prep('m', (ph) => `SELECT * FROM latest_metrics WHERE run_id IN (${ph})`),
  };
  const samples = { page: [], query: [] };
  let ids;
  return {
    warm: () => rawPage(db, stmt, hydrate, args),
    /** Time the page with its data; every `queryEvery`th call, also the page query alone. */
    once(i, queryEvery = 3) {
      let s = now();
      const res = rawPage(db, stmt, hydrate, args);
      samples.page.push(now() - s);
      ids = res.rows.map((r) => r.id);
      if (i % queryEvery === 0) {
        s = now();
        stmt.all(args);
        samples.query.push(now() - s);
      }
    },
    result: () => ({ page: stats(samples.page), query: stats(samples.query), ids }),
  };
}

async function main() {
  log(`run listing: first page of ${PAGE} in an experiment of ${fmtInt(RUNS)} runs (+10 % in another), ${REPS} requests each (server in-process)`);
  // 1. Ids through the API, then stop the server and write the rows directly.
  let srv = await startInProcess();
  const { dataDir, latheHome } = srv;
  const exp = await srv.client.call('createExperiment', { body: { name: EXPERIMENT } });
  const other = await srv.client.call('createExperiment', { body: { name: OTHER } });
  await srv.server.close();
  const dbFile = join(dataDir, 'lathe.db');
  const ids = (() => {
    const db = new Database(dbFile, { readonly: true });
    const wsId = db.prepare("SELECT id FROM workspaces WHERE name = 'default'").get().id;
    const userId = db.prepare("SELECT id FROM users WHERE name = 'admin'").get().id;
    db.close();
    return { wsId, userId, expId: Number(exp.id), otherExpId: Number(other.id) };
  })();
  let t = now();
  const counts = seed(dbFile, ids);
  const seedSeconds = (now() - t) / 1000;
  const inExp = counts.find((c) => c.experiment_id === ids.expId)?.n ?? 0;
  const inOther = counts.find((c) => c.experiment_id === ids.otherExpId)?.n ?? 0;
  if (Math.abs(inExp - RUNS) > 10) throw new Error(`seeded ${inExp} runs into the experiment, expected ${RUNS}`);

  // 2. The API on the same data, interleaved with the SQL baseline (a read-only connection
  // to the same file; the server idles while it runs), so machine load hits both alike.
  srv = await startInProcess({ dataDir, latheHome });
  const api = {};
  const apiIds = {};
  const queries = {
    loss: { experiment: EXPERIMENT, status: 'Completed', order_by: 'metrics.loss ASC', max_results: PAGE },
    created: { experiment: EXPERIMENT, status: 'Completed', order_by: 'created_at DESC', max_results: PAGE },
  };
  const db = await openSqlite(dbFile, { readonly: true });
  const args = { ws: ids.wsId, exp: ids.expId };
  const raw = {};
  const indexed = {};
  const rawT = Object.fromEntries(Object.keys(queries).map((k) => [k, rawTimer(db, PAGE_SQL[k], args)]));
  const idxT = Object.fromEntries(Object.keys(queries).map((k) => [k, rawTimer(db, INDEXED_SQL[k], args)]));
  const plans = Object.fromEntries(Object.keys(queries).map((k) => [k, db.prepare(`EXPLAIN QUERY PLAN ${PAGE_SQL[k]}`).all(args).map((r) => r.detail).join('; ')]));
  let coldMs;
  try {
    t = now();
    await srv.client.call('listRuns', { query: queries.loss });
    coldMs = now() - t;
    for (let i = 0; i < 3; i++) {
      for (const [k, q] of Object.entries(queries)) {
        await srv.client.call('listRuns', { query: q });
        rawT[k].warm();
        idxT[k].warm();
      }
    }
    const samples = { loss: [], created: [] };
    for (let i = 0; i < REPS; i++) {
      for (const [k, q] of Object.entries(queries)) {
        const s = now();
        const page = await srv.client.call('listRuns', { query: q });
        samples[k].push(now() - s);
        apiIds[k] = page.items.map((r) => r.id);
        if (page.items.length !== PAGE) throw new Error(`${k}: got ${page.items.length} runs`);
        rawT[k].once(i);
        idxT[k].once(i, 1);
      }
    }
    for (const k of Object.keys(queries)) {
      api[k] = stats(samples[k]);
      raw[k] = rawT[k].result();
      indexed[k] = idxT[k].result();
    }
  } finally {
    db.close();
    await srv.server.close();
  }

  log(`  seeded ${fmtInt(inExp)} + ${fmtInt(inOther)} runs (${fmtInt((inExp + inOther) * 10)} rows with tags, params, metrics) in ${seedSeconds.toFixed(1)} s; first request after start ${fmtMs(coldMs)} ms`);
  const labels = { loss: 'status=Completed, order_by=metrics.loss ASC', created: 'status=Completed, order_by=created_at DESC' };
  for (const k of Object.keys(queries)) {
    const same = JSON.stringify(apiIds[k]) === JSON.stringify(raw[k].ids) && JSON.stringify(raw[k].ids) === JSON.stringify(indexed[k].ids);
    const ratio = api[k].median / raw[k].page.median;
    const met = api[k].median < GOAL_MS;
    log(`run listing (${fmtInt(inExp)} runs, ${labels[k]}, first ${PAGE}): median ${fmtMs(api[k].median)} ms, p95 ${fmtMs(api[k].p95)} ms; raw SQL page + params/tags/metrics: median ${fmtMs(raw[k].page.median)} ms; ratio ${fmtRatio(ratio)} (goal < ${GOAL_MS} ms) ${met ? 'MET' : 'MISSED'}`);
    log(`  the page query alone: ${fmtMs(raw[k].query.median)} ms (plan: ${plans[k]}); index-driven formulation: ${fmtMs(indexed[k].query.median)} ms alone, ${fmtMs(indexed[k].page.median)} ms with the page data; pages ${same ? 'identical' : 'DIFFER'} (API vs SQL vs index-driven)`);
    report({ name: `run listing (${k === 'loss' ? 'metrics.loss ASC' : 'created_at DESC'})`, value: api[k].median, unit: 'ms (median)', extra: `p95 ${fmtMs(api[k].p95)} ms`, baseline: raw[k].page.median, baselineLabel: 'raw SQL + page data ms', ratio, goal: `< ${GOAL_MS} ms`, met, lowerIsBetter: true });
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`run-listing: ${err.stack ?? err}\n`);
  process.exit(1);
});
