#!/usr/bin/env node
/**
 * Run every benchmark one after another (each in its own node process), show its output,
 * then print a summary table. A missed goal is reported, never an error; the exit code is
 * non-zero only when a benchmark could not run at all.
 *
 *   npm run build && node bench/run-all.mjs              # the four core benchmarks
 *   node bench/run-all.mjs job-launch run-listing        # some (any benchmark file here, by name)
 *   node bench/run-all.mjs --all                         # every benchmark file in this folder
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The benchmarks run by default, in this order. */
const CORE = ['metric-ingestion', 'metric-downsample', 'job-launch', 'run-listing'];
/** Other benchmark files in this folder (helpers excluded): run by name, or all with --all. */
const HELPERS = new Set(['lib', 'run-all', 'profile-summary']);
const OTHERS = readdirSync(here)
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.slice(0, -4))
  .filter((n) => !HELPERS.has(n) && !n.endsWith('-lib') && !CORE.includes(n))
  .sort();
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 240_000);

const args = process.argv.slice(2);
const all = args.includes('--all');
const wanted = args.filter((a) => a !== '--all').map((a) => a.replace(/\.mjs$/, '').replace(/^.*\//, ''));
const known = [...CORE, ...OTHERS];
const unknown = wanted.filter((w) => !known.includes(w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${known.join(', ')}\n`);
  process.exit(2);
}
const selected = wanted.length ? known.filter((b) => wanted.includes(b)) : all ? known : CORE;

function runOne(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(here, `${name}.mjs`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const results = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) results.push(JSON.parse(line.slice('BENCH_RESULT '.length)));
        else process.stdout.write(`${line}\n`);
      }
    });
    const timer = setTimeout(() => {
      process.stdout.write(`${name}: still running after ${TIMEOUT_MS / 1000} s, stopping it\n`);
      child.kill('SIGTERM');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (buf) process.stdout.write(buf);
      resolve({ name, code, signal, results, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const fmtNum = (n) => {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
};

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const runs = [];
for (const name of selected) {
  process.stdout.write(`\n=== ${name} ===\n`);
  runs.push(await runOne(name));
}

const rows = [['benchmark', 'result', 'baseline (same run)', 'ratio', 'goal', 'status']];
for (const r of runs) {
  if (r.code !== 0 || r.results.length === 0) {
    rows.push([r.name, `did not complete (exit ${r.code ?? r.signal})`, '-', '-', '-', 'ERROR']);
    continue;
  }
  for (const x of r.results) {
    const status = x.met === null || x.met === undefined ? 'info' : x.met ? 'met' : 'MISSED';
    rows.push([
      x.name,
      `${fmtNum(x.value)} ${x.unit}${x.extra ? ` (${x.extra})` : ''}`,
      `${fmtNum(x.baseline)} ${x.baselineLabel}`,
      typeof x.ratio === 'number' && Number.isFinite(x.ratio) ? `${x.ratio.toFixed(2)}x` : '-',
      x.goal,
      status,
    ]);
  }
}
process.stdout.write(`\n=== summary (${runs.reduce((n, r) => n + r.seconds, 0).toFixed(0)} s) ===\n${table(rows)}\n`);
process.stdout.write(`Load average (1/5/15 min) on ${cpus().length} cores: ${loadBefore} before, ${load()} after. Ratios compare with a baseline measured in the same run on the same machine; absolute figures move with machine load.\n`);
process.exit(runs.some((r) => r.code !== 0 || r.results.length === 0) ? 1 : 0);
