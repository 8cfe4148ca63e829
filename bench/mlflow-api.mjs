#!/usr/bin/env node
/**
 * The MLflow-compatible API under the request sequences an MLflow client sends, against
 * MLflow 2.17's figures (SQLite store, measured elsewhere on this machine class — not in
 * this run): log-batch of 1000 points ~5,200 points/s; log-metric one at a time ~72/s;
 * create run + log-batch + terminate ~14 runs/s; search over 1,000 runs ~0.6-0.8 s;
 * get-history of 10,000 points ~0.9 s. Goal: at least 20x each.
 *
 * Baseline measured in this run: a bare node:http server on the same machine that reads
 * the same requests and answers the same bytes Lathe answered (no storage): the floor of
 * HTTP + JSON on this machine, so the ratio shows what storage and logic cost on top.
 *
 *   BENCH_ROUNDS=3    # Lathe/floor pairs per throughput case; the medians are reported
 */
import http from 'node:http';
import { fmtInt, fmtMs, fmtRatio, log, now, report, startChildServer, stats } from './lib.mjs';

const MLFLOW = { batch: 5_200, single: 72, runs: 14, search: 700, history: 900 };

/**
 * The client: node:http with a keep-alive agent, one request at a time, as MLflow's Python
 * client sends them (`requests` over one kept-alive connection). Not `fetch`: on this
 * machine undici's fetch alone caps a sequential client near 1,200-1,900 requests/s,
 * which would measure the client rather than the server.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function mlflow(url, token, method, path, body) {
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/2.0/mlflow/${path}`, {
      method,
      agent,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${path}: ${res.statusCode} ${text}`));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A bare node:http server that answers every request with `answer(path)` after reading the body. */
async function floorServer(answer) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (chunks.length) JSON.parse(Buffer.concat(chunks).toString());
      const out = answer(req.url);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const batchOf = (b) => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 5}`, value: Math.random(), timestamp: Date.now(), step: b * 200 + Math.floor(i / 5) }));

/**
 * Time `seq` against Lathe and against the floor server, in ROUNDS alternating pairs;
 * returns the median ops/s of each (on 2 cores a single run swings by 2x with where the
 * scheduler puts client and server).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
async function rate(label, seconds, seq, lathe, floor) {
  const run = async (target) => {
    const start = now();
    let ops = 0;
    while (now() - start < seconds * 1000) ops += await seq(target, ops);
    return ops / ((now() - start) / 1000);
  };
  const l = [];
  const f = [];
  for (let i = 0; i < ROUNDS; i++) {
    l.push(await run(lathe));
    f.push(await run(floor));
  }
  return { lathe: stats(l).median, floor: stats(f).median };
}

const server = await startChildServer();
const { url, token } = server;
const lathe = { url, token };
const results = [];
try {
  const exp = JSON.parse(await mlflow(url, token, 'POST', 'experiments/create', { name: 'bench' })).experiment_id;
  const runId = JSON.parse(await mlflow(url, token, 'POST', 'runs/create', { experiment_id: exp, start_time: Date.now() })).run.info.run_id;

  // 1. log-batch, 1000 points a request, one client (as mlflow.log_metrics in a loop sends them)
  {
    const floor = await floorServer(() => '{}');
    const r = await rate('log-batch', 3, async (t, i) => {
      await mlflow(t.url, token, 'POST', 'runs/log-batch', { run_id: runId, metrics: batchOf(i) });
      return 1000;
    }, lathe, { url: floor.url });
    await floor.close();
    results.push({ name: 'mlflow log-batch (1000 points)', value: r.lathe, unit: 'points/s', mlflow: MLFLOW.batch, floor: r.floor });
  }
  // 2. log-metric one at a time
  {
    const floor = await floorServer(() => '{}');
    const r = await rate('log-metric', 3, async (t, i) => {
      await mlflow(t.url, token, 'POST', 'runs/log-metric', { run_id: runId, key: 'single', value: i, timestamp: Date.now(), step: i });
      return 1;
    }, lathe, { url: floor.url });
    await floor.close();
    results.push({ name: 'mlflow log-metric (one at a time)', value: r.lathe, unit: 'points/s', mlflow: MLFLOW.single, floor: r.floor });
  }
  // 3. create run + log-batch + terminate
  {
    const created = await mlflow(url, token, 'POST', 'runs/create', { experiment_id: exp, start_time: Date.now() });
    const floor = await floorServer((path) => (path.includes('runs/create') ? created : '{}'));
    const r = await rate('run lifecycle', 3, async (t) => {
      const id = JSON.parse(await mlflow(t.url, token, 'POST', 'runs/create', { experiment_id: exp, start_time: Date.now() })).run.info.run_id;
      await mlflow(t.url, token, 'POST', 'runs/log-batch', { run_id: id, metrics: batchOf(0).slice(0, 100), params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: 'x' }] });
      await mlflow(t.url, token, 'POST', 'runs/update', { run_id: id, status: 'FINISHED', end_time: Date.now() });
      return 1;
    }, lathe, { url: floor.url });
    await floor.close();
    results.push({ name: 'mlflow create + log-batch + terminate', value: r.lathe, unit: 'runs/s', mlflow: MLFLOW.runs, floor: r.floor });
  }
  // 4. search over 1,000 runs (an experiment holding 1,000 runs, all returned, filtered and ordered)
  {
    const sexp = JSON.parse(await mlflow(url, token, 'POST', 'experiments/create', { name: 'bench-search' })).experiment_id;
    for (let i = 0; i < 1000; i++) {
      const id = JSON.parse(await mlflow(url, token, 'POST', 'runs/create', { experiment_id: sexp, start_time: Date.now() })).run.info.run_id;
      await mlflow(url, token, 'POST', 'runs/log-batch', { run_id: id, metrics: [{ key: 'rmse', value: Math.random(), timestamp: 1, step: 0 }], params: [{ key: 'alpha', value: String(i % 10) }], tags: [{ key: 'team', value: 'a' }] });
    }
    const body = { experiment_ids: [sexp], filter: "metrics.rmse < 2 and tags.team = 'a'", order_by: ['metrics.rmse ASC'], max_results: 1000 };
    const answer = await mlflow(url, token, 'POST', 'runs/search', body);
    if (JSON.parse(answer).runs.length !== 1000) throw new Error('search did not return 1000 runs');
    const floor = await floorServer(() => answer);
    const time = async (t) => {
      const samples = [];
      for (let i = 0; i < 15; i++) {
        const s = now();
        await mlflow(t.url, token, 'POST', 'runs/search', body);
        samples.push(now() - s);
      }
      return stats(samples).median;
    };
    results.push({ name: 'mlflow runs/search over 1,000 runs', value: await time(lathe), unit: 'ms', mlflow: MLFLOW.search, floor: await time({ url: floor.url }), lowerIsBetter: true });
    await floor.close();
  }
  // 5. get-history of 10,000 points
  {
    const hid = JSON.parse(await mlflow(url, token, 'POST', 'runs/create', { experiment_id: exp, start_time: Date.now() })).run.info.run_id;
    for (let b = 0; b < 10; b++) await mlflow(url, token, 'POST', 'runs/log-batch', { run_id: hid, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: Date.now(), step: b * 1000 + i })) });
    const path = `metrics/get-history?run_id=${hid}&metric_key=loss`;
    const answer = await mlflow(url, token, 'GET', path);
    if (JSON.parse(answer).metrics.length !== 10_000) throw new Error('history did not return 10,000 points');
    const floor = await floorServer(() => answer);
    const time = async (t) => {
      const samples = [];
      for (let i = 0; i < 15; i++) {
        const s = now();
        await mlflow(t.url, token, 'GET', path);
        samples.push(now() - s);
      }
      return stats(samples).median;
    };
    results.push({ name: 'mlflow get-history of 10,000 points', value: await time(lathe), unit: 'ms', mlflow: MLFLOW.history, floor: await time({ url: floor.url }), lowerIsBetter: true });
    await floor.close();
  }
} finally {
  agent.destroy();
  await server.stop();
}

for (const r of results) {
  const vsMlflow = r.lowerIsBetter ? r.mlflow / r.value : r.value / r.mlflow;
  const vsFloor = r.lowerIsBetter ? r.floor / r.value : r.value / r.floor;
  const fmt = (v) => (r.unit === 'ms' ? `${fmtMs(v)} ms` : `${fmtInt(v)} ${r.unit}`);
  log(`${r.name}: ${fmt(r.value)}; bare node:http floor (same requests, same answers, no storage): ${fmt(r.floor)}, Lathe at ${fmtRatio(vsFloor)} of it; vs MLflow 2.17 reference ${fmt(r.mlflow)}: ${fmtRatio(vsMlflow)} (goal >= 20x)`);
  report({ name: r.name, value: r.value, unit: r.unit, baseline: r.floor, baselineLabel: 'bare node:http floor', ratio: vsFloor, goal: '>= 20x MLflow 2.17', met: vsMlflow >= 20, vsMlflow });
}
