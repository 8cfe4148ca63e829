#!/usr/bin/env node
/**
 * Job launch overhead on the `local` compute.
 *
 * The server runs in this process (startServer, temp data dir, port 0, the real agent
 * command `node packages/cli/bin/lathe.js agent`). A trivial command job is submitted 15
 * times, one after another; its command writes the wall-clock time (ns, `date +%s%N`) at
 * which the user process started and, as its last act, when it is about to exit:
 *
 *     date +%s%N > "$OUT.start"; date +%s%N > "$OUT.end"
 *
 * Measured per job: submit -> user process start, and user process exit -> the run's
 * `end` event on the SSE log stream (status Completed). Baseline in the same run: the same
 * command through `child_process.spawn('/bin/bash', ['-c', command])`: spawn -> start and
 * exit -> 'close'. Reported: medians and the added overhead (Lathe minus bare). A second
 * variant submits with a small code snapshot (5 files uploaded once through
 * findMissingBlobs/uploadBlob/createSnapshot); after the first job the blobs are in the
 * node's cache, so later jobs only copy them into the run folder.
 *
 * Env: BENCH_JOBS (default 15).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, fmtMs, log, report, sleep, startInProcess, stats, tempDir } from './lib.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 15);
const GOAL_ADDED_MS = 150;
const COMMAND = 'date +%s%N > "$OUT.start"; date +%s%N > "$OUT.end"';

/** Wall-clock epoch ms with sub-ms resolution (Date.now() truncates to whole ms). */
const wallNow = () => performance.timeOrigin + performance.now();

/** `date +%s%N` output -> epoch milliseconds (with the sub-ms part). */
const nsFileToMs = (path) => Number(BigInt(readFileSync(path, 'utf8').trim()) / 1000n) / 1000;

async function waitForFile(path, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear`);
    await sleep(2);
  }
}

/** Bare spawn of the same command: spawn -> start, exit -> 'close'. */
async function bareOnce(outBase) {
  const t0 = wallNow();
  const child = spawn('/bin/bash', ['-c', COMMAND], { env: { ...process.env, OUT: outBase }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const closedAt = await new Promise((res, rej) => {
    child.once('error', rej);
    child.once('close', (code) => (code === 0 ? res(wallNow()) : rej(new Error(`bare command exited ${code}`))));
  });
  const start = nsFileToMs(`${outBase}.start`);
  const end = nsFileToMs(`${outBase}.end`);
  return { toStart: start - t0, toDone: closedAt - end };
}

/** One Lathe job: submit -> user start, user exit -> `end` event (Completed). */
async function latheOnce(client, outBase, snapshotId) {
  const t0 = wallNow();
  const run = await client.call('submitJob', {
    body: {
      experiment_name: 'bench-launch',
      command: COMMAND,
      compute: 'local',
      environment_variables: { OUT: outBase },
      ...(snapshotId ? { code_snapshot_id: snapshotId } : {}),
    },
  });
  const submitted = wallNow();
  let endAt;
  let status;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 60_000);
  try {
    for await (const ev of client.events('streamLog', { params: { run: run.id } }, ac.signal)) {
      if (ev.event === 'end') {
        endAt = wallNow();
        status = JSON.parse(ev.data).status;
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  if (status !== 'Completed') {
    const r = await client.call('getRun', { params: { run: run.id } });
    throw new Error(`job ${run.id} ended ${status}: ${r.status_reason ?? ''}`);
  }
  await waitForFile(`${outBase}.end`);
  const start = nsFileToMs(`${outBase}.start`);
  const end = nsFileToMs(`${outBase}.end`);
  const r = await client.call('getRun', { params: { run: run.id } });
  return {
    toStart: start - t0,
    toDone: endAt - end,
    // Phases, from the run record's server-side times.
    submitCall: submitted - t0,
    queuedToRunning: r.started_at - r.created_at,
    runningToUser: start - r.started_at,
    userExitToEnded: r.ended_at - end,
  };
}

/** Time a node process to exit: `node lathe.js --version` is node start + loading the CLI. */
async function nodeStartMs(args) {
  const t0 = performance.now();
  await new Promise((res, rej) => {
    const c = spawn(process.execPath, args, { stdio: 'ignore' });
    c.once('error', rej);
    c.once('exit', res);
  });
  return performance.now() - t0;
}

async function makeSnapshot(client) {
  const files = [
    ['train.py', `import os\nprint("training", os.environ.get("LATHE_RUN_ID"))\n${'# pad\n'.repeat(200)}`],
    ['model/net.py', `class Net:\n    pass\n${'# layer\n'.repeat(400)}`],
    ['model/__init__.py', ''],
    ['config.yaml', 'lr: 0.01\nepochs: 3\nbatch_size: 32\n'],
    ['data/labels.csv', Array.from({ length: 2000 }, (_, i) => `${i},${i % 10}`).join('\n')],
  ].map(([path, text]) => {
    const data = Buffer.from(text);
    return { path, data, sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
  });
  const { missing } = await client.call('findMissingBlobs', { body: { hashes: files.map((f) => f.sha256) } });
  const need = new Set(missing);
  for (const f of files) {
    if (need.has(f.sha256)) await client.upload('uploadBlob', { params: { sha256: f.sha256 } }, f.data, f.size);
  }
  const snap = await client.call('createSnapshot', { body: { files: files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, mode: 0o644 })) } });
  return { id: snap.id, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
}

function line(label, lathe, bare) {
  const s = stats(lathe.map((x) => x.toStart));
  const d = stats(lathe.map((x) => x.toDone));
  const bs = stats(bare.map((x) => x.toStart));
  const bd = stats(bare.map((x) => x.toDone));
  const addedStart = s.median - bs.median;
  const addedDone = d.median - bd.median;
  return { label, s, d, bs, bd, addedStart, addedDone, added: addedStart + addedDone };
}

async function main() {
  log(`job launch: ${JOBS} trivial jobs one after another on the local compute (server in-process), vs bare bash spawns`);
  const outDir = tempDir('out');
  const srv = await startInProcess();
  const results = {};
  let phases;
  let snapInfo;
  let cli;
  try {
    const bareNode = [];
    const cliRuns = [];
    // Warm-up: one of each (JIT, SQLite, the experiment row, the OS page cache for node and the CLI).
    await latheOnce(srv.client, join(outDir, 'warm'), null);
    await bareOnce(join(outDir, 'warm-bare'));
    snapInfo = await makeSnapshot(srv.client);
    const firstWithSnapshot = await latheOnce(srv.client, join(outDir, 'warm-snap'), snapInfo.id); // downloads the blobs into the node cache
    snapInfo.first = firstWithSnapshot;

    const lathe = [];
    const latheSnap = [];
    const bare = [];
    // Interleave the three so machine noise hits them alike.
    for (let i = 0; i < JOBS; i++) {
      bare.push(await bareOnce(join(outDir, `bare-${i}`)));
      lathe.push(await latheOnce(srv.client, join(outDir, `job-${i}`), null));
      latheSnap.push(await latheOnce(srv.client, join(outDir, `snap-${i}`), snapInfo.id));
      if (i % 2 === 0) {
        bareNode.push(await nodeStartMs(['-e', '0']));
        cliRuns.push(await nodeStartMs([CLI_BIN, '--version']));
      }
    }
    cli = { node: stats(bareNode).median, cli: stats(cliRuns).median };
    results.plain = line('no code snapshot', lathe, bare);
    results.snap = line(`code snapshot (${snapInfo.files} files, ${(snapInfo.bytes / 1024).toFixed(0)} KiB, unchanged)`, latheSnap, bare);
    phases = {
      submitCall: stats(lathe.map((x) => x.submitCall)).median,
      queuedToRunning: stats(lathe.map((x) => x.queuedToRunning)).median,
      runningToUser: stats(lathe.map((x) => x.runningToUser)).median,
      userExitToEnded: stats(lathe.map((x) => x.userExitToEnded)).median,
      snapQueuedToRunning: stats(latheSnap.map((x) => x.queuedToRunning)).median,
    };
  } finally {
    await srv.server.close();
  }

  for (const key of ['plain', 'snap']) {
    const r = results[key];
    const met = r.addedStart < GOAL_ADDED_MS;
    log(`job launch (${r.label}): submit -> user process start median ${fmtMs(r.s.median)} ms (p95 ${fmtMs(r.s.p95)}); bare bash spawn -> start ${fmtMs(r.bs.median)} ms; ratio ${(r.s.median / r.bs.median).toFixed(1)}x; added ${fmtMs(r.addedStart)} ms (goal < ${GOAL_ADDED_MS} ms added) ${met ? 'MET' : 'MISSED'}`);
    log(`  user process exit -> run Completed (SSE end event) median ${fmtMs(r.d.median)} ms (p95 ${fmtMs(r.d.p95)}); bare exit -> close ${fmtMs(r.bd.median)} ms; added ${fmtMs(r.addedDone)} ms; launch + completion added ${fmtMs(r.added)} ms`);
    report({ name: `job launch (${key === 'plain' ? 'no snapshot' : 'unchanged snapshot'})`, value: r.s.median, unit: 'ms submit->start', extra: `exit->Completed ${fmtMs(r.d.median)} ms; added ${fmtMs(r.addedStart)} + ${fmtMs(r.addedDone)} ms`, baseline: r.bs.median, baselineLabel: 'bare spawn->start ms', ratio: r.s.median / r.bs.median, goal: `< ${GOAL_ADDED_MS} ms added`, met, lowerIsBetter: true });
  }
  log(`  where the launch time goes (medians, no snapshot): submit call ${fmtMs(phases.submitCall)} ms; created -> Running reported by the agent ${fmtMs(phases.queuedToRunning)} ms (${fmtMs(phases.snapQueuedToRunning)} ms with the snapshot); Running -> user process start ${fmtMs(phases.runningToUser)} ms; user exit -> ended_at ${fmtMs(phases.userExitToEnded)} ms`);
  log(`  for scale: \`node -e 0\` takes ${fmtMs(cli.node)} ms here and \`node lathe.js --version\` (node + loading the CLI's modules, which the agent also pays) ${fmtMs(cli.cli)} ms; the first job with the snapshot (blobs not yet cached) took ${fmtMs(snapInfo.first.toStart)} ms to start`);
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`job-launch: ${err.stack ?? err}\n`);
  process.exit(1);
});
