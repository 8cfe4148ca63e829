#!/usr/bin/env node
/**
 * Profiling a 1,000,000-row CSV (7 columns: integer id, float, low-cardinality string,
 * boolean, date, high-cardinality string, a float with nulls) with the server's streaming
 * profiler, in a child process so its peak memory (max RSS) is its own. Baseline in the
 * same run: reading the same file and counting its lines (the I/O floor). Then the whole
 * `lathe data create --type uri_file` of that file (upload + metadata snapshot + profile).
 * The same table as Parquet (written by hyparquet-writer: 100,000-row groups, snappy) is
 * profiled the way the server does it: spooled to a temp file, read one row group at a time.
 *
 * Goals: profile < 5 s, peak memory < 300 MB (CSV and Parquet).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_BIN, REPO, log, now, report, startInProcess, tempDir } from './lib.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

const cities = ['Oslo', 'Lima', 'Rome', 'Kyiv', 'Pune', 'Cork', 'Nice', 'Bern', 'Riga', 'Male', 'Baku', 'Doha'];

async function writeCsv(file) {
  const ws = createWriteStream(file);
  ws.write('id,price,city,active,day,user,score\n');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    buf += `${i},${(i * 0.37) % 1000},${cities[i % cities.length]},${i % 3 === 0},${day},user-${(i * 7919) % 400_000},${i % 10 === 0 ? '' : (i % 97) / 7}\n`;
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
      buf = '';
    }
  }
  ws.write(buf);
  await new Promise((r) => ws.end(r));
}

/** The same rows as writeCsv, as typed Parquet columns (the day as a timestamp). */
async function writeParquet(file) {
  const { parquetWriteFile } = await import('hyparquet-writer');
  const col = (f) => Array.from({ length: ROWS }, (_, i) => f(i));
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'id', data: col((i) => i), type: 'INT32' },
      { name: 'price', data: col((i) => (i * 0.37) % 1000), type: 'DOUBLE' },
      { name: 'city', data: col((i) => cities[i % cities.length]), type: 'STRING' },
      { name: 'active', data: col((i) => i % 3 === 0), type: 'BOOLEAN' },
      { name: 'day', data: col((i) => new Date(Date.UTC(2024, i % 12, (i % 28) + 1))), type: 'TIMESTAMP' },
      { name: 'user', data: col((i) => `user-${(i * 7919) % 400_000}`), type: 'STRING' },
      { name: 'score', data: col((i) => (i % 10 === 0 ? null : (i % 97) / 7)), type: 'DOUBLE' },
    ],
  });
}

/** Run `code` in a fresh node process; resolves its JSON output (it prints one line). */
function child(code) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.on('close', (c) => (c === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child failed (${c}): ${out}`))));
  });
}

async function main() {
  const dir = tempDir('profile');
  const file = join(dir, 'table.csv');
  await writeCsv(file);
  const profiler = pathToFileURL(join(REPO, 'packages/server/dist/data/csv-profile.js')).href;
  const floor = await child(`
    import { createReadStream } from 'node:fs';
    const t = performance.now(); let lines = 0;
    for await (const c of createReadStream(${JSON.stringify(file)})) for (let i = 0; i < c.length; i++) if (c[i] === 10) lines++;
    console.log(JSON.stringify({ ms: performance.now() - t, lines, rssMb: process.resourceUsage().maxRSS / 1024 }));`);
  const runs = [];
  for (let i = 0; i < 2; i++) {
    runs.push(await child(`
      import { createReadStream } from 'node:fs';
      import { profileCsv } from ${JSON.stringify(profiler)};
      const t = performance.now();
      const p = await profileCsv([createReadStream(${JSON.stringify(file)}, { highWaterMark: 1 << 20 })]);
      console.log(JSON.stringify({ ms: performance.now() - t, rows: p.row_count, cols: p.columns.map((c) => c.name + ':' + c.type + ':' + c.distinct_estimate), rssMb: process.resourceUsage().maxRSS / 1024 }));`));
  }
  const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
  const peak = Math.max(...runs.map((r) => r.rssMb));
  log(`data-profile: ${ROWS.toLocaleString('en-US')} rows, ${(await import('node:fs')).statSync(file).size / 1e6} MB`);
  log(`  columns: ${best.cols.join(', ')}`);
  log(`  profile: ${(best.ms / 1000).toFixed(2)} s (${Math.round(ROWS / (best.ms / 1000)).toLocaleString('en-US')} rows/s), peak RSS ${peak.toFixed(0)} MB (node itself: ~${floor.rssMb.toFixed(0)} MB)`);
  log(`  baseline (read + count lines): ${(floor.ms / 1000).toFixed(2)} s; profile/baseline ${(best.ms / floor.ms).toFixed(1)}x`);

  // Parquet: the same table, profiled as the server does (spool to a temp file, row group by row group).
  const pqFile = join(dir, 'table.parquet');
  await writeParquet(pqFile);
  const pqProfiler = pathToFileURL(join(REPO, 'packages/server/dist/data/parquet-profile.js')).href;
  const pqRuns = [];
  for (let i = 0; i < 2; i++) {
    pqRuns.push(await child(`
      import { createReadStream } from 'node:fs';
      import { profileParquet } from ${JSON.stringify(pqProfiler)};
      const t = performance.now();
      const p = await profileParquet([createReadStream(${JSON.stringify(pqFile)}, { highWaterMark: 1 << 20 })], { tmpDir: ${JSON.stringify(join(dir, 'spool'))} });
      console.log(JSON.stringify({ ms: performance.now() - t, rows: p.row_count, cols: p.columns.map((c) => c.name + ':' + c.type + ':' + c.distinct_estimate), rssMb: process.resourceUsage().maxRSS / 1024 }));`));
  }
  const pqBest = pqRuns.reduce((a, b) => (a.ms < b.ms ? a : b));
  const pqPeak = Math.max(...pqRuns.map((r) => r.rssMb));
  log(`  parquet: ${(statSync(pqFile).size / 1e6).toFixed(1)} MB; columns: ${pqBest.cols.join(', ')}`);
  log(`  parquet profile: ${(pqBest.ms / 1000).toFixed(2)} s (${Math.round(ROWS / (pqBest.ms / 1000)).toLocaleString('en-US')} rows/s), peak RSS ${pqPeak.toFixed(0)} MB; parquet/csv ${(pqBest.ms / best.ms).toFixed(2)}x`);

  // End to end: upload to the default datastore and register, through a real server and the CLI.
  const srv = await startInProcess();
  const t = now();
  await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI_BIN, 'data', 'create', '--name', 'big', '--type', 'uri_file', '--path', file, '-o', 'json'], { env: { ...process.env, LATHE_HOME: srv.latheHome }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b) => (err += b));
    p.on('close', (c) => (c === 0 ? resolve() : reject(new Error(err))));
  });
  const e2e = (now() - t) / 1000;
  log(`  lathe data create (upload + hash + profile, server in this process): ${e2e.toFixed(2)} s`);
  await srv.server.close();
  const met = best.ms < 5000 && peak < 300 && pqBest.ms < 5000 && pqPeak < 300;
  report({ name: 'data-profile', value: best.ms, unit: 'ms', baseline: floor.ms, baselineLabel: 'read the file and count lines', ratio: best.ms / floor.ms, goal: '< 5 s and < 300 MB peak (CSV and Parquet)', met, details: { rows: ROWS, peakRssMb: peak, endToEndS: e2e, parquetMs: pqBest.ms, parquetPeakRssMb: pqPeak } });
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
