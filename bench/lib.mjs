/**
 * Shared helpers for the benchmarks: temp folders, starting a server (in-process or as a
 * child process), timing statistics, number formatting and the machine-readable result
 * line that run-all.mjs collects.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (bench/..). */
export const REPO = resolve(here, '..');
export const CLI_BIN = join(REPO, 'packages', 'cli', 'bin', 'lathe.js');
export const AGENT_BIN = join(REPO, 'packages', 'agent', 'bin', 'lathe-agent.js');
export const PYTHON_DIR = join(REPO, 'python');

/** A fresh temp folder, removed by `cleanup()` (and on exit). */
const tempDirs = [];
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `lathe-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
export function cleanup() {
  if (process.env.BENCH_KEEP_TEMP) {
    if (tempDirs.length) process.stderr.write(`kept temp folders (BENCH_KEEP_TEMP): ${tempDirs.join(' ')}\n`);
    tempDirs.length = 0;
    return;
  }
  while (tempDirs.length) {
    const d = tempDirs.pop();
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}
process.on('exit', cleanup);

/** The ServerConfig the CLI would build, for a data dir and LATHE_HOME of our own. */
export function serverConfig({ dataDir, latheHome, slots, tickMs, env } = {}) {
  return {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    databaseUrl: `sqlite://${pathToFileURL(join(dataDir, 'lathe.db')).pathname}`,
    blobUrl: pathToFileURL(join(dataDir, 'blobs')).href,
    latheHome,
    localSlots: slots ?? Math.max(1, cpus().length),
    // BENCH_AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every agent.
    agentCommand: [process.execPath, ...(process.env.BENCH_AGENT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), AGENT_BIN],
    pythonPath: PYTHON_DIR,
    baseEnv: { ...process.env, LATHE_HOME: latheHome, ...(env ?? {}) },
    version: 'bench',
    tickMs,
    log: (m) => {
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[server] ${m}\n`);
    },
  };
}

/** Read `<latheHome>/credentials`: { url, token, workspace }. */
export function readCredentials(latheHome) {
  return JSON.parse(readFileSync(join(latheHome, 'credentials'), 'utf8'));
}

/**
 * Start the server in this process. Returns { server, url, token, workspace, dataDir, latheHome, client }.
 * `dataDir`/`latheHome` may be given to reuse an existing database.
 */
export async function startInProcess(opts = {}) {
  const { startServer } = await import('@lathe/server');
  const { LatheClient } = await import('@lathe/client');
  const dataDir = opts.dataDir ?? tempDir('data');
  const latheHome = opts.latheHome ?? tempDir('home');
  const server = await startServer(serverConfig({ ...opts, dataDir, latheHome }));
  const creds = readCredentials(latheHome);
  const client = new LatheClient({ url: server.url, token: creds.token, workspace: creds.workspace });
  return { server, url: server.url, token: creds.token, workspace: creds.workspace, dataDir, latheHome, client };
}

/**
 * Start `lathe server --port 0 --data DIR` as a child process (its own event loop and
 * core). Resolves once it prints `Lathe listening on URL`.
 */
export async function startChildServer(opts = {}) {
  const { LatheClient } = await import('@lathe/client');
  const dataDir = opts.dataDir ?? tempDir('data');
  const latheHome = opts.latheHome ?? tempDir('home');
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const nodeArgs = opts.nodeArgs ?? (process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(/\s+/).filter(Boolean) : []);
  const child = spawn(process.execPath, [...nodeArgs, CLI_BIN, 'server', '--port', '0', '--data', dataDir], {
    env: { ...process.env, LATHE_HOME: latheHome, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b) => {
    stderr += b;
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[server] ${b}`);
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout.on('data', (b) => {
      out += b;
      const m = /Lathe listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  child.stdout.resume();
  const creds = readCredentials(latheHome);
  const client = new LatheClient({ url, token: creds.token, workspace: creds.workspace });
  const stop = () =>
    new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return { child, url, token: creds.token, workspace: creds.workspace, dataDir, latheHome, client, stop };
}

/**
 * A better-sqlite3 connection set up as the server sets up its own (WAL,
 * synchronous=NORMAL, a 64 MiB page cache), so baselines do not lose on configuration.
 */
export async function openSqlite(file, { readonly = false } = {}) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly });
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('cache_size = -65536');
  return db;
}

// ---------------------------------------------------------------- statistics and output

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, min: s[0], median: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
export const fmtRatio = (r) => `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;

export const now = () => performance.now();

/**
 * Print the machine-readable result line run-all.mjs collects:
 * { name, value, unit, baseline, baselineLabel, ratio, goal, met }.
 */
export function report(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

export function log(line) {
  process.stdout.write(`${line}\n`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
