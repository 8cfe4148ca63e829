#!/usr/bin/env node
/**
 * Job start in a cached environment vs the host environment, and cold build times.
 *
 * The server runs in this process (startServer, temp data dir, port 0, the real agent
 * command), with a fresh node environment cache. Three environments are created and built
 * cold through `buildEnvironment` (a build run each): a venv of /usr/bin/python3 with its
 * system site packages (scikit-learn from apt), a venv with pip installing a local wheel
 * (PyPI is not reachable here), and an npm install of `is-number` from the npm registry.
 * Cold build time is the agent's own "built in" figure, plus the whole build run.
 *
 * Then trivial jobs (`date +%s%N > "$OUT.start"`) run one after another in pairs: one with
 * no environment (the host environment: the baseline) and one in a cached environment,
 * which one first alternating. Figures:
 *
 * - end to end: submit -> user process start, median, and its ratio to the host jobs of
 *   the same run; the median of the differences within pairs, with its middle half (on a
 *   loaded 2-core machine one job start swings by hundreds of ms, so this band is shown
 *   to say how much the difference can be trusted);
 * - the added work itself, which is the goal's figure: what an environment adds on the
 *   start path, measured where it happens in the same jobs: resolving the environment at
 *   submit (submit call, environment minus host, median) plus the agent's preparation of
 *   the cached environment (its own "ready in": hash, lock, marker, registration).
 *
 * Env: BENCH_JOBS (default 12 pairs per environment).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fmtMs, log, quantile, report, sleep, startInProcess, stats, tempDir } from './lib.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 12);
const GOAL_ADDED_MS = 50;
const COMMAND = 'date +%s%N > "$OUT.start"';

const wallNow = () => performance.timeOrigin + performance.now();
const nsFileToMs = (path) => Number(BigInt(readFileSync(path, 'utf8').trim()) / 1000n) / 1000;

/** A pure-Python wheel, written with the zipfile module. */
function makeWheel(dir, name, version) {
  const script = `
import zipfile, hashlib, base64, sys
d, name, ver = sys.argv[1:4]
files = {f"{name}/__init__.py": "VALUE = 1\\n",
         f"{name}-{ver}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n",
         f"{name}-{ver}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: lathe-bench\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
rec = []
with zipfile.ZipFile(f"{d}/{name}-{ver}-py3-none-any.whl", "w") as z:
    for p, c in files.items():
        z.writestr(p, c)
        h = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        rec.append(f"{p},sha256={h},{len(c.encode())}")
    rec.append(f"{name}-{ver}.dist-info/RECORD,,")
    z.writestr(f"{name}-{ver}.dist-info/RECORD", "\\n".join(rec) + "\\n")
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, dir, name, version]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

async function waitForEnd(client, id, timeoutMs = 300_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.call('getRun', { params: { run: id } });
    if (['Completed', 'Failed', 'Canceled'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`job ${id} did not end`);
    await sleep(20);
  }
}

async function runLog(srv, id) {
  const res = await fetch(`${srv.url}/api/v1/workspaces/${srv.workspace}/runs/${id}/logs`, { headers: { authorization: `Bearer ${srv.token}` } });
  return res.text();
}

async function coldBuild(srv, name) {
  const t0 = wallNow();
  const run = await srv.client.call('buildEnvironment', { params: { name, version: 'latest' }, body: { compute: 'local' } });
  const ended = await waitForEnd(srv.client, run.id);
  const total = wallNow() - t0;
  const text = await runLog(srv, run.id);
  if (ended.status !== 'Completed') throw new Error(`building ${name} failed: ${ended.status_reason}\n${text}`);
  const built = /: built in ([0-9.]+) s/.exec(text);
  return { buildS: built ? Number(built[1]) : NaN, totalMs: total };
}

async function jobOnce(srv, outBase, environment) {
  const t0 = wallNow();
  const run = await srv.client.call('submitJob', {
    body: { experiment_name: 'bench-environment-start', command: COMMAND, compute: 'local', environment_variables: { OUT: outBase }, ...(environment ? { environment } : {}) },
  });
  const submitMs = wallNow() - t0;
  const ended = await waitForEnd(srv.client, run.id);
  if (ended.status !== 'Completed') throw new Error(`job ${run.id} ended ${ended.status}: ${ended.status_reason}`);
  if (!existsSync(`${outBase}.start`)) throw new Error(`${outBase}.start did not appear`);
  const toStart = nsFileToMs(`${outBase}.start`) - t0;
  let readyMs = null;
  if (environment) {
    const m = /ready in ([0-9.]+) ms/.exec(await runLog(srv, run.id));
    readyMs = m ? Number(m[1]) : null;
  }
  return { toStart, readyMs, submitMs };
}

async function main() {
  log(`environment start: ${JOBS} pairs per environment of a cached-environment job and a host-environment job, one after another (server in-process, 1 slot, fresh node cache)`);
  const outDir = tempDir('env-out');
  const wheels = tempDir('env-wheels');
  makeWheel(wheels, 'lathe_bench_pkg', '1.0.0');
  const srv = await startInProcess({ slots: 1 });
  const envs = [
    { name: 'bench-sklearn', label: 'venv + system site packages (scikit-learn from apt)', def: { python: '/usr/bin/python3', system_site_packages: true } },
    { name: 'bench-pip', label: 'venv + pip install of a local wheel', def: { python: '/usr/bin/python3', pip_requirements: ['lathe_bench_pkg==1.0.0'], pip_find_links: [wheels] } },
    { name: 'bench-npm', label: 'npm install is-number from the npm registry', def: { npm: { 'is-number': '7.0.0' } } },
  ];
  const cold = {};
  const samples = { host: [] };
  const diffs = {};
  try {
    for (const e of envs) {
      await srv.client.call('createEnvironment', { body: { name: e.name, ...e.def } });
      cold[e.name] = await coldBuild(srv, e.name);
      log(`cold build ${e.name} (${e.label}): built in ${cold[e.name].buildS.toFixed(2)} s; whole build run ${fmtMs(cold[e.name].totalMs)} ms`);
      samples[e.name] = [];
      diffs[e.name] = [];
    }
    // Warm-up: one of each (JIT, SQLite, page cache).
    await jobOnce(srv, join(outDir, 'warm-host'), null);
    for (const e of envs) await jobOnce(srv, join(outDir, `warm-${e.name}`), `azureml:${e.name}@latest`);
    // Pairs: a host job and an environment job right after one another, which one first
    // alternating, so slow drift in machine load hits both alike.
    for (let i = 0; i < JOBS; i++) {
      for (const [n, e] of envs.entries()) {
        const host = () => jobOnce(srv, join(outDir, `host-${e.name}-${i}`), null);
        const env = () => jobOnce(srv, join(outDir, `${e.name}-${i}`), `azureml:${e.name}@latest`);
        let h;
        let x;
        if ((i + n) % 2 === 0) {
          h = await host();
          x = await env();
        } else {
          x = await env();
          h = await host();
        }
        samples.host.push(h);
        samples[e.name].push(x);
        diffs[e.name].push(x.toStart - h.toStart);
      }
    }
  } finally {
    await srv.server.close();
  }

  const host = stats(samples.host.map((s) => s.toStart));
  const submitHost = stats(samples.host.map((s) => s.submitMs));
  log(`host environment (baseline): submit -> user process start median ${fmtMs(host.median)} ms (p95 ${fmtMs(host.p95)}); submit call ${fmtMs(submitHost.median)} ms; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  let worst = -Infinity;
  for (const e of envs) {
    const s = stats(samples[e.name].map((x) => x.toStart));
    const paired = stats(diffs[e.name]);
    const iqr = `${fmtMs(quantile([...diffs[e.name]].sort((a, b) => a - b), 0.25))}..${fmtMs(quantile([...diffs[e.name]].sort((a, b) => a - b), 0.75))}`;
    const ready = stats(samples[e.name].map((x) => x.readyMs).filter((x) => x !== null));
    const submit = stats(samples[e.name].map((x) => x.submitMs));
    const added = Math.max(0, submit.median - submitHost.median) + ready.median;
    worst = Math.max(worst, added);
    log(`cached ${e.name}: submit -> start median ${fmtMs(s.median)} ms (p95 ${fmtMs(s.p95)}); ratio ${(s.median / host.median).toFixed(2)}x host; ` +
      `end to end, median of paired differences ${fmtMs(paired.median)} ms (middle half ${iqr}); ` +
      `added work ${fmtMs(added)} ms: resolving at submit ${fmtMs(submit.median - submitHost.median)} ms + the agent's preparation ("ready in") median ${fmtMs(ready.median)} ms (max ${fmtMs(ready.max)})`);
    report({
      name: `environment start (${e.name}, cached)`, value: s.median, unit: 'ms submit->start',
      extra: `added work ${fmtMs(added)} ms; end-to-end paired difference ${fmtMs(paired.median)} ms (middle half ${iqr}); cold build ${cold[e.name].buildS.toFixed(2)} s`,
      baseline: host.median, baselineLabel: 'host environment ms', ratio: s.median / host.median, goal: `< ${GOAL_ADDED_MS} ms added`, met: added < GOAL_ADDED_MS, lowerIsBetter: true,
    });
  }
  log(`environment start: worst added work ${fmtMs(worst)} ms (goal < ${GOAL_ADDED_MS} ms) ${worst < GOAL_ADDED_MS ? 'MET' : 'MISSED'}`);
  for (const e of envs) log(`cold build ${e.name}: ${cold[e.name].buildS.toFixed(2)} s in the agent, ${fmtMs(cold[e.name].totalMs)} ms for the whole build run`);
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
