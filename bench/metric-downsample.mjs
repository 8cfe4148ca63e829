#!/usr/bin/env node
/**
 * Downsampling a 1,000,000-point metric for a chart.
 *
 * The server runs in this process (startServer, temp data dir, port 0). One metric `loss`
 * of 1M points (steps 0..999,999) is logged through the API in 1000-point batches, then
 * `GET .../metrics/series?key=loss&buckets=1000` is timed over 20 repetitions after a
 * warm-up (median and p95). Baseline, in the same run: the same 1M points as rows of a
 * better-sqlite3 table with a (run_id, key, step) index and one SQL statement that computes
 * each bucket's count, min, max and last (GROUP BY over the index range), timed over 5
 * repetitions (it is ~10x slower) interleaved with the API requests. The two answers are
 * compared bucket by bucket. For information, the SQL is also timed with a covering index.
 *
 * Env: BENCH_DOWNSAMPLE_POINTS (default 1,000,000), BENCH_DOWNSAMPLE_REPS (20), BENCH_DOWNSAMPLE_RAW_REPS (5).
 */
import { join } from 'node:path';
import { fmtInt, fmtMs, fmtRatio, log, now, openSqlite, report, startInProcess, stats, tempDir } from './lib.mjs';

const POINTS = Number(process.env.BENCH_DOWNSAMPLE_POINTS ?? 1_000_000);
const REPS = Number(process.env.BENCH_DOWNSAMPLE_REPS ?? 20);
// The SQL baseline takes most of a second per query: fewer repetitions keep the file under a minute.
const RAW_REPS = Number(process.env.BENCH_DOWNSAMPLE_RAW_REPS ?? 5);
const BATCH = 1000;
const BUCKETS = 1000;
const CONCURRENCY = 4;
const GOAL_MS = 100;
const T0 = 1_700_000_000_000;

const valueAt = (step) => Math.exp(-step / 200_000) + 0.05 * Math.sin(step / 7) + ((step * 7919) % 1000) / 20_000;
const tsAt = (step) => T0 + step * 10;

async function seedApi(client, run) {
  let next = 0;
  const start = now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      const from = next;
      if (from >= POINTS) return;
      next += BATCH;
      const metrics = [];
      for (let s = from; s < Math.min(POINTS, from + BATCH); s++) metrics.push({ key: 'loss', value: valueAt(s), step: s, timestamp: tsAt(s) });
      await client.call('logBatch', { params: { run }, body: { metrics } });
    }
  }));
  return (now() - start) / 1000;
}

async function seedRaw(run, covering) {
  const db = await openSqlite(join(tempDir('raw'), 'raw.db'));
  db.exec('CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL)');
  db.exec(covering
    ? 'CREATE INDEX metrics_idx ON metrics (run_id, key, step, timestamp, value)'
    : 'CREATE INDEX metrics_idx ON metrics (run_id, key, step)');
  const ins = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
  const tx = db.transaction((from) => {
    for (let s = from; s < Math.min(POINTS, from + BATCH); s++) ins.run(run, 'loss', s, tsAt(s), valueAt(s));
  });
  for (let from = 0; from < POINTS; from += BATCH) tx(from);
  db.exec('ANALYZE');
  return db;
}

/**
 * One statement: the GROUP BY gives count/min/max and the bucket's last step; the last
 * value is the row at that step with the newest timestamp (an index lookup per bucket).
 */
const SERIES_SQL = `
SELECT g.b AS b, g.n AS count, g.mn AS min, g.mx AS max, g.last_step AS last_step,
  (SELECT m2.value FROM metrics m2 WHERE m2.run_id = @run AND m2.key = @key AND m2.step = g.last_step ORDER BY m2.timestamp DESC LIMIT 1) AS last
FROM (
  SELECT (step - @lo) / @width AS b, count(*) AS n, min(value) AS mn, max(value) AS mx, max(step) AS last_step
  FROM metrics WHERE run_id = @run AND key = @key AND step BETWEEN @lo AND @hi
  GROUP BY b
) g ORDER BY g.b`;

function rawSeries(db, run) {
  const range = db.prepare('SELECT min(step) AS lo, max(step) AS hi, count(*) AS n FROM metrics WHERE run_id = ? AND key = ?').get(run, 'loss');
  const width = Math.max(1, Math.ceil((range.hi - range.lo + 1) / BUCKETS));
  // BigInt binds as an SQLite INTEGER (a JS number binds as REAL), so `/` is integer division.
  return db.prepare(SERIES_SQL).all({ run, key: 'loss', lo: BigInt(range.lo), hi: BigInt(range.hi), width: BigInt(width) });
}

/** Time one call of `fn` in ms; returns [ms, result]. */
async function timed(fn) {
  const s = now();
  const result = await fn();
  return [now() - s, result];
}

function compare(api, rows) {
  if (api.buckets.length !== rows.length) return `bucket count differs: API ${api.buckets.length}, SQL ${rows.length}`;
  for (let i = 0; i < rows.length; i++) {
    const a = api.buckets[i];
    const r = rows[i];
    if (a.count !== r.count || a.min !== r.min || a.max !== r.max || a.last !== r.last || a.last_step !== r.last_step) {
      return `bucket ${i} differs: API ${JSON.stringify(a)} vs SQL ${JSON.stringify(r)}`;
    }
  }
  return null;
}

async function main() {
  log(`metric downsample: ${fmtInt(POINTS)}-point metric, ${BUCKETS} buckets, ${REPS} repetitions (server in-process)`);
  const srv = await startInProcess();
  let api;
  let raw;
  let rawCov;
  let cold;
  let seedSeconds;
  let rawSeedSeconds;
  let apiResult;
  let rawRows;
  try {
    const run = await srv.client.call('createRun', { body: { experiment_name: 'bench-downsample' } });
    seedSeconds = await seedApi(srv.client, run.id);
    const t = now();
    const db = await seedRaw('r1', false);
    rawSeedSeconds = (now() - t) / 1000;
    const dbCov = await seedRaw('r1', true);

    const series = () => srv.client.call('getMetricSeries', { params: { run: run.id }, query: { key: 'loss', buckets: BUCKETS } });
    [cold, apiResult] = await timed(series);
    if (apiResult.total_points !== POINTS) throw new Error(`series reports ${apiResult.total_points} points, expected ${POINTS}`);
    for (let i = 0; i < 2; i++) await series();
    rawRows = rawSeries(db, 'r1');
    rawSeries(dbCov, 'r1');
    // Interleaved, so a change in machine load hits both sides: every API request, and a
    // SQL query every REPS/RAW_REPS requests (the SQL takes ~10x longer).
    const samples = { api: [], raw: [], cov: [] };
    const every = Math.max(1, Math.floor(REPS / RAW_REPS));
    for (let i = 0; i < REPS; i++) {
      samples.api.push((await timed(series))[0]);
      if (i % every === 0 && samples.raw.length < RAW_REPS) samples.raw.push((await timed(() => rawSeries(db, 'r1')))[0]);
      if (i % (every * 2) === 0 && samples.cov.length < Math.min(3, RAW_REPS)) samples.cov.push((await timed(() => rawSeries(dbCov, 'r1')))[0]);
    }
    db.close();
    dbCov.close();
    api = stats(samples.api);
    raw = stats(samples.raw);
    rawCov = stats(samples.cov);
  } finally {
    await srv.server.close();
  }
  const mismatch = compare(apiResult, rawRows);

  const ratio = api.median / raw.median;
  const met = api.median < GOAL_MS;
  log(`  seeded through the API in ${seedSeconds.toFixed(1)} s (${fmtInt(POINTS / seedSeconds)} points/s); raw table seeded in ${rawSeedSeconds.toFixed(1)} s`);
  log(`  first (cold) request: ${fmtMs(cold)} ms; results ${mismatch ? `DIFFER from SQL: ${mismatch}` : 'match the SQL baseline bucket for bucket'}`);
  log(`metric downsample (${fmtInt(POINTS)} points -> ${BUCKETS} buckets, GET series): median ${fmtMs(api.median)} ms, p95 ${fmtMs(api.p95)} ms; raw SQL GROUP BY: median ${fmtMs(raw.median)} ms (${raw.n} reps); ratio ${fmtRatio(ratio)} of the SQL time (goal < ${GOAL_MS} ms) ${met ? 'MET' : 'MISSED'}`);
  log(`  raw SQL with a covering index (run_id, key, step, timestamp, value): median ${fmtMs(rawCov.median)} ms -> ours is ${fmtRatio(api.median / rawCov.median)} of that`);
  report({ name: `metric downsample (${POINTS >= 1e6 ? `${POINTS / 1e6}M` : fmtInt(POINTS)} pts, ${BUCKETS} buckets)`, value: api.median, unit: 'ms (median)', extra: `p95 ${fmtMs(api.p95)} ms`, baseline: raw.median, baselineLabel: 'raw SQL GROUP BY ms', ratio, goal: `< ${GOAL_MS} ms`, met, lowerIsBetter: true });
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`metric-downsample: ${err.stack ?? err}\n`);
  process.exit(1);
});
