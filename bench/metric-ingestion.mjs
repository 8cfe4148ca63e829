#!/usr/bin/env node
/**
 * Metric ingestion through the batch API.
 *
 * The server runs as a separate process (`lathe server --port 0`), so the load generator
 * does not share its event loop. 4 concurrent clients, each logging to its own run,
 * POST `log-batch` requests of 1000 points (5 keys x 200 steps, as a training loop logs)
 * for ~10 s. Baseline, measured in this process while the server idles: raw better-sqlite3
 * inserts of the same rows, one row per point, WAL + synchronous=NORMAL, a (run_id, key,
 * step) index, 1000 rows per transaction through a prepared statement. The two alternate
 * in 5 rounds (2 s of API, then the same points raw) so a change in machine load hits both.
 * Also: one point per request, sequentially, for a few seconds, alternating with a bare
 * node:http server (own process) called the same way: the HTTP floor on this machine.
 *
 * Env: BENCH_INGEST_SECONDS (default 10), BENCH_INGEST_CLIENTS (4), BENCH_SINGLE_SECONDS (3).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fmtInt, fmtRatio, log, now, openSqlite, report, startChildServer, tempDir } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_INGEST_CLIENTS ?? 4);
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 3);
const ROUNDS = 5;
const BATCH = 1000;
const KEYS = ['loss', 'accuracy', 'lr', 'grad_norm', 'throughput'];
const STEPS_PER_BATCH = BATCH / KEYS.length;
const GOAL_PPS = 200_000;
const GOAL_RATIO = 0.5;
// Reference figures for MLflow 2.17's tracking server, measured elsewhere (not in this run).
const MLFLOW_SINGLE = 70;
const MLFLOW_BATCH = 5_200;

/** The points of batch number `b`: steps [b*200, b*200+200) for each key. */
function batchPoints(b, t0) {
  const metrics = new Array(BATCH);
  let i = 0;
  for (let s = 0; s < STEPS_PER_BATCH; s++) {
    const step = b * STEPS_PER_BATCH + s;
    const ts = t0 + step;
    for (let k = 0; k < KEYS.length; k++) metrics[i++] = { key: KEYS[k], value: Math.sin(step * 0.001 + k) * 10 + k, step, timestamp: ts };
  }
  return metrics;
}

/** Open the raw baseline table: one row per point, the way a naive store would keep them. */
async function openRaw() {
  const db = await openSqlite(join(tempDir('raw'), 'raw.db'));
  db.exec('CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL)');
  db.exec('CREATE INDEX metrics_run_key_step ON metrics (run_id, key, step)');
  const insert = db.prepare('INSERT INTO metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)');
  const insertBatch = db.transaction((run, points) => {
    for (const p of points) insert.run(run, p.key, p.step, p.timestamp, p.value);
  });
  return { db, insertBatch };
}

/**
 * ROUNDS rounds of: SECONDS/ROUNDS of API batches from CLIENTS clients, then the same
 * points as raw inserts (the server process idles meanwhile). Interleaving keeps a change
 * in machine load from landing on one side only.
 */
async function batchRounds(server) {
  const runs = [];
  for (let c = 0; c < CLIENTS; c++) {
    const run = await server.client.call('createRun', { body: { experiment_name: 'bench-ingest', display_name: `client-${c}` } });
    runs.push(run.id);
  }
  // Warm-up: a few batches on a throwaway run (JIT, SQLite page cache).
  const warm = await server.client.call('createRun', { body: { experiment_name: 'bench-ingest-warmup' } });
  for (let b = 0; b < 20; b++) await server.client.call('logBatch', { params: { run: warm.id }, body: { metrics: batchPoints(b, Date.now()) } });
  const raw = await openRaw();
  for (let b = 0; b < 5; b++) raw.insertBatch('warm-up', batchPoints(b, Date.now()));

  const t0 = Date.now();
  const next = new Map(runs.map((r) => [r, 0]));
  const rawNext = new Map(runs.map((r) => [r, 0]));
  const api = { points: 0, requests: 0, seconds: 0 };
  const base = { rows: 0, seconds: 0 };
  const latencies = [];
  for (let round = 0; round < ROUNDS; round++) {
    // API: each client sends batches until the round's time is up.
    let start = now();
    const deadline = start + (SECONDS * 1000) / ROUNDS;
    await Promise.all(runs.map(async (run) => {
      while (now() < deadline) {
        const b = next.get(run);
        next.set(run, b + 1);
        const body = { metrics: batchPoints(b, t0) };
        const s = now();
        const res = await server.client.call('logBatch', { params: { run }, body });
        latencies.push(now() - s);
        if (res.stored_metrics !== BATCH) throw new Error(`stored ${res.stored_metrics} of ${BATCH}`);
        api.points += BATCH;
        api.requests++;
      }
    }));
    api.seconds += (now() - start) / 1000;
    // Raw: the same batches (generating the points is timed on both sides).
    start = now();
    for (const run of runs) {
      for (let b = rawNext.get(run); b < next.get(run); b++) {
        raw.insertBatch(run, batchPoints(b, t0));
        base.rows += BATCH;
      }
      rawNext.set(run, next.get(run));
    }
    base.seconds += (now() - start) / 1000;
  }
  const count = raw.db.prepare("SELECT count(*) AS n FROM metrics WHERE run_id <> 'warm-up'").get().n;
  raw.db.close();
  if (count !== base.rows) throw new Error(`raw: inserted ${base.rows}, counted ${count}`);

  // Check every point sent landed.
  let stored = 0;
  for (const run of runs) {
    for (const key of KEYS) {
      const s = await server.client.call('getMetricSeries', { params: { run }, query: { key, buckets: 1 } });
      stored += s.total_points;
    }
  }
  if (stored !== api.points) throw new Error(`sent ${api.points} points, the server holds ${stored}`);
  latencies.sort((x, y) => x - y);
  return {
    pps: api.points / api.seconds, points: api.points, requests: api.requests, elapsed: api.seconds,
    rps: base.rows / base.seconds, rows: base.rows, rawElapsed: base.seconds,
    p50: latencies[Math.floor(latencies.length / 2)] ?? NaN, p95: latencies[Math.floor(latencies.length * 0.95)] ?? NaN,
  };
}

/** One point per request, sequentially, for `ms`; returns [requests, seconds]. */
async function sequential(call, ms) {
  const start = now();
  const deadline = start + ms;
  let n = 0;
  while (now() < deadline) await call(n++);
  return [n, (now() - start) / 1000];
}

/**
 * The HTTP floor for one small request: a bare node:http server in its own process that
 * parses the JSON body and answers a small JSON object, called the same way (fetch).
 */
const BARE_SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const b = JSON.parse(body);
    const out = JSON.stringify({ stored_metrics: b.metrics.length, duplicate: false });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
s.listen(0, '127.0.0.1', () => process.stdout.write('listening ' + s.address().port + '\\n'));
`;

async function startBareServer(token) {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      const m = /listening (\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.once('exit', (c) => rej(new Error(`bare server exited ${c}`)));
  });
  const url = `http://127.0.0.1:${port}/api/v1/workspaces/default/runs/x/log-batch`;
  const call = (i) => fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ metrics: [{ key: 'loss', value: Math.random(), step: i, timestamp: Date.now() }] }),
  }).then((r) => r.json());
  return { call, stop: () => child.kill() };
}

/** Lathe and the bare server, one point per request, in alternating slices. */
async function singleRounds(server) {
  const run = await server.client.call('createRun', { body: { experiment_name: 'bench-ingest', display_name: 'one-at-a-time' } });
  const lathe = (i) => server.client.call('logBatch', { params: { run: run.id }, body: { metrics: [{ key: 'loss', value: Math.random(), step: i, timestamp: Date.now() }] } });
  const bare = await startBareServer(server.token);
  try {
    for (let i = 0; i < 50; i++) {
      await lathe(i);
      await bare.call(i);
    }
    const sum = { lathe: [0, 0], bare: [0, 0] };
    const slices = 3;
    for (let r = 0; r < slices; r++) {
      for (const [k, fn] of [['lathe', lathe], ['bare', bare.call]]) {
        const [n, sec] = await sequential(fn, (SINGLE_SECONDS * 1000) / slices);
        sum[k][0] += n;
        sum[k][1] += sec;
      }
    }
    return { lathe: sum.lathe[0] / sum.lathe[1], bare: sum.bare[0] / sum.bare[1] };
  } finally {
    bare.stop();
  }
}

async function main() {
  log(`metric ingestion: ${CLIENTS} clients x ${BATCH}-point batches for ${SECONDS} s against a separate server process, in ${ROUNDS} rounds alternating with the raw baseline`);
  const server = await startChildServer();
  let batch;
  let singles;
  try {
    batch = await batchRounds(server);
    singles = await singleRounds(server);
  } finally {
    await server.stop();
  }
  const raw = { rps: batch.rps, rows: batch.rows, elapsed: batch.rawElapsed };
  const single = singles.lathe;
  const bare = singles.bare;
  const ratio = batch.pps / raw.rps;
  const met = batch.pps >= GOAL_PPS && ratio >= GOAL_RATIO;

  log(`  API batches: ${fmtInt(batch.points)} points in ${batch.requests} requests over ${batch.elapsed.toFixed(1)} s; request latency p50 ${batch.p50.toFixed(1)} ms, p95 ${batch.p95.toFixed(1)} ms`);
  log(`  raw better-sqlite3: ${fmtInt(raw.rows)} rows in ${raw.elapsed.toFixed(1)} s`);
  log(`metric ingestion (batch ${BATCH}, ${CLIENTS} clients): ${fmtInt(batch.pps)} points/s; raw better-sqlite3: ${fmtInt(raw.rps)} rows/s; ratio ${fmtRatio(ratio)} (goal >= ${fmtInt(GOAL_PPS)}/s and >= ${GOAL_RATIO}x) ${met ? 'MET' : 'MISSED'}`);
  log(`  reference (MLflow 2.17 tracking server, measured elsewhere, not in this run): ~${fmtInt(MLFLOW_BATCH)} points/s in 1000-point batches -> ours is ${fmtRatio(batch.pps / MLFLOW_BATCH)}`);
  log(`metric ingestion (1 point per request, sequential): ${fmtInt(single)} points/s; bare node:http JSON round trip: ${fmtInt(bare)} requests/s; ratio ${fmtRatio(single / bare)} (report only)`);
  log(`  reference (MLflow 2.17, measured elsewhere, not in this run): ~${MLFLOW_SINGLE} points/s one at a time -> ours is ${fmtRatio(single / MLFLOW_SINGLE)}`);

  report({ name: `metric ingestion (batch ${BATCH}, ${CLIENTS} clients)`, value: batch.pps, unit: 'points/s', baseline: raw.rps, baselineLabel: 'raw better-sqlite3 rows/s', ratio, goal: `>= ${fmtInt(GOAL_PPS)}/s and >= ${GOAL_RATIO}x`, met });
  report({ name: 'metric ingestion (1 point/request)', value: single, unit: 'points/s', baseline: bare, baselineLabel: 'bare node:http req/s', ratio: single / bare, goal: `report only (MLflow ref ~${MLFLOW_SINGLE}/s)`, met: null });
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`metric-ingestion: ${err.stack ?? err}\n`);
  process.exit(1);
});
