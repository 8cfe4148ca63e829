#!/usr/bin/env node
/**
 * The studio's runs table with 100,000 runs in one experiment.
 *
 * Seeding: a server is started once (schema, admin, workspace), stopped, and 100,000 runs
 * with 3 params, 3 latest metrics and a tag each are inserted directly into its SQLite
 * database in one transaction; then the server is started again as a child process.
 *
 * Figures (Chromium driving the built studio, medians of BENCH_STUDIO_REPS):
 *  - first rows visible: navigation start → the first rows are on screen (the studio's
 *    `lathe:runs-visible` mark, set after React committed them). Goal < 1 s.
 *    Baselines in the same run: a bare page from the same server (the favicon), and the
 *    raw API calls the page makes (window + count) timed from Node.
 *  - sort by a metric column: header click → first row shows the run the server says is
 *    first. Goal < 300 ms. Baseline: the raw sorted window API call from Node.
 *
 * Env: BENCH_STUDIO_RUNS (100000), BENCH_STUDIO_REPS (5).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fmtInt, fmtMs, fmtRatio, log, now, report, startChildServer, stats, tempDir } from './lib.mjs';
import { launchBrowser, markAfterNavigation, bareNavigation, signedInPage } from './studio-lib.mjs';

const RUNS = Number(process.env.BENCH_STUDIO_RUNS ?? 100_000);
const REPS = Number(process.env.BENCH_STUDIO_REPS ?? 5);
const EXPERIMENT = 'bench-runs';
const FIRST_ROWS_GOAL = 1000;
const SORT_GOAL = 300;

function seed(dataDir) {
  const db = new Database(join(dataDir, 'lathe.db'));
  db.pragma('journal_mode = WAL');
  const ws = db.prepare("SELECT id FROM workspaces WHERE name = 'default'").get().id;
  const user = db.prepare("SELECT id FROM users WHERE name = 'admin'").get().id;
  const t0 = 1_700_000_000_000;
  const exp = db.prepare('INSERT INTO experiments (workspace_id, name, lifecycle_stage, created_at, last_update_time) VALUES (?, ?, ?, ?, ?)').run(ws, EXPERIMENT, 'active', t0, t0).lastInsertRowid;
  const run = db.prepare(`INSERT INTO runs (id, workspace_id, experiment_id, parent_run_id, display_name, description, status, status_reason, user_id, compute, created_at, started_at, ended_at, exit_code, lifecycle_stage, job, agent_pid, heartbeat_at, cancel_requested, last_update_time)
    VALUES (?, ?, ?, NULL, ?, NULL, ?, NULL, ?, 'local', ?, ?, ?, 0, 'active', NULL, NULL, NULL, 0, ?)`);
  const param = db.prepare('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
  const metric = db.prepare('INSERT INTO latest_metrics (run_id, key, value, is_nan, step, timestamp) VALUES (?, ?, ?, 0, ?, ?)');
  const statuses = ['Completed', 'Completed', 'Completed', 'Failed', 'Canceled'];
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const id = `bench_run_${String(i).padStart(6, '0')}`;
      const created = t0 + i * 1000;
      run.run(id, ws, exp, `trial-${i}`, statuses[i % statuses.length], user, created, created + 500, created + 500 + (i % 3600) * 1000, created);
      param.run(id, 'lr', String([0.1, 0.03, 0.01, 0.003][i % 4]));
      param.run(id, 'batch_size', String([32, 64, 128][i % 3]));
      param.run(id, 'optimizer', ['adam', 'sgd'][i % 2]);
      tag.run(id, 'sweep', `s${i % 10}`);
      // A loss whose order differs from creation order.
      metric.run(id, 'loss', ((i * 7919) % 100_003) / 100_003, 99, created);
      metric.run(id, 'accuracy', ((i * 104729) % 99_991) / 99_991, 99, created);
      metric.run(id, 'val_loss', ((i * 15485863) % 99_989) / 99_989, 99, created);
    }
  })();
  db.exec('ANALYZE');
  db.close();
}

async function timed(fn) {
  const t = now();
  await fn();
  return now() - t;
}

async function main() {
  log(`studio runs table: ${fmtInt(RUNS)} runs in one experiment, ${REPS} repetitions, Chromium + built studio`);
  // BENCH_STUDIO_DATA=DIR keeps the seeded server folder (and reuses it on the next run).
  const keep = process.env.BENCH_STUDIO_DATA;
  const dataDir = keep ? join(keep, 'data') : tempDir('studio-data');
  const latheHome = keep ? join(keep, 'home') : tempDir('studio-home');
  if (!keep || !existsSync(join(dataDir, 'lathe.db'))) {
    const first = await startChildServer({ dataDir, latheHome });
    await first.stop();
    const seedStart = now();
    seed(dataDir);
    log(`  seeded ${fmtInt(RUNS)} runs (3 params, 3 metrics, 1 tag each) into SQLite in ${((now() - seedStart) / 1000).toFixed(1)} s`);
  }
  const server = await startChildServer({ dataDir, latheHome });
  const browser = await launchBrowser();
  try {
    const { client, url, token } = server;
    // Warm the server (first query after start reads the tables from disk).
    await client.call('countRuns', { query: { experiment: EXPERIMENT } });
    await client.call('listRunWindow', { query: { experiment: EXPERIMENT, offset: 0, limit: 100 } });

    // Baseline 1: the raw API calls the page makes for its first screen, from Node.
    const apiFirst = [];
    for (let i = 0; i < REPS; i++) {
      apiFirst.push(await timed(() => Promise.all([
        client.call('listRunWindow', { query: { experiment: EXPERIMENT, offset: 0, limit: 100 } }),
        client.call('countRuns', { query: { experiment: EXPERIMENT } }),
        client.call('getExperimentKeys', { params: { name: EXPERIMENT } }),
      ])));
    }
    const apiCount = [];
    for (let i = 0; i < REPS; i++) apiCount.push(await timed(() => client.call('countRuns', { query: { experiment: EXPERIMENT } })));
    const apiKeys = [];
    for (let i = 0; i < REPS; i++) apiKeys.push(await timed(() => client.call('getExperimentKeys', { params: { name: EXPERIMENT } })));

    const page = await signedInPage(browser, url, token);
    // Baseline 2: a bare page from the same server.
    const bare = [];
    for (let i = 0; i < REPS; i++) bare.push(await bareNavigation(page, `${url}/favicon.svg`));

    const tableUrl = `${url}/w/default/experiments/${EXPERIMENT}`;
    const firstRows = [];
    for (let i = 0; i < REPS; i++) firstRows.push(await markAfterNavigation(page, tableUrl, 'lathe:runs-visible'));
    const rowsShown = await page.locator('[data-run]').count();
    const countText = await page.getByTestId('run-count').textContent();

    // Sort by a metric column: click the header, wait for the row the server puts first.
    const expectFirst = async (desc) => (await client.call('listRunWindow', { query: { experiment: EXPERIMENT, order_by: `metrics.loss ${desc ? 'DESC' : 'ASC'}`, offset: 0, limit: 1 } })).items[0].id;
    const firstAsc = await expectFirst(false);
    const firstDesc = await expectFirst(true);
    const apiSort = [];
    for (let i = 0; i < REPS; i++) {
      apiSort.push(await timed(() => client.call('listRunWindow', { query: { experiment: EXPERIMENT, order_by: `metrics.loss ${i % 2 ? 'DESC' : 'ASC'}`, offset: 0, limit: 100 } })));
    }
    await page.getByTestId('runs-grid').evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await page.locator('[data-column="metric:loss"]').waitFor();
    const sorts = [];
    for (let i = 0; i < REPS * 2; i++) {
      // Header clicks cycle ASC → DESC → default order; time the ASC and DESC ones.
      const target = i % 3 === 0 ? firstAsc : i % 3 === 1 ? firstDesc : null;
      const ms = await page.evaluate(async (want) => {
        const header = document.querySelector('[data-column="metric:loss"]');
        const t0 = performance.now();
        header.click();
        return new Promise((resolve, reject) => {
          const deadline = t0 + 20_000;
          const check = () => {
            const firstRow = document.querySelector('[data-run]');
            const order = new URL(location.href).searchParams.get('order');
            if (want === null ? order === null && firstRow : firstRow?.getAttribute('data-run') === want) resolve(performance.now() - t0);
            else if (performance.now() > deadline) reject(new Error(`sorted rows did not appear (want ${want})`));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        });
      }, target);
      if (target !== null) sorts.push(ms);
      await page.waitForTimeout(150);
    }

    const f = stats(firstRows);
    const s = stats(sorts);
    const a1 = stats(apiFirst);
    const as = stats(apiSort);
    const b = stats(bare);
    log(`  the page showed ${rowsShown} row elements (virtualised) and "${countText}"`);
    log(`  raw API from Node: first screen (window + count + keys, in parallel) median ${fmtMs(a1.median)} ms; count alone ${fmtMs(stats(apiCount).median)} ms; experiment keys alone ${fmtMs(stats(apiKeys).median)} ms; sorted window (metrics.loss) median ${fmtMs(as.median)} ms`);
    log(`  bare page (favicon from the same server), navigation to load: median ${fmtMs(b.median)} ms`);
    log(`studio first rows visible (${fmtInt(RUNS)} runs): median ${fmtMs(f.median)} ms, max ${fmtMs(f.max)} ms (goal < ${FIRST_ROWS_GOAL} ms) ${f.median < FIRST_ROWS_GOAL ? 'MET' : 'MISSED'}; ${fmtRatio(f.median / a1.median)} of the raw API time, ${fmtRatio(f.median / b.median)} of a bare page`);
    log(`studio sort by metric column (${fmtInt(RUNS)} runs): median ${fmtMs(s.median)} ms, max ${fmtMs(s.max)} ms over ${s.n} clicks (goal < ${SORT_GOAL} ms) ${s.median < SORT_GOAL ? 'MET' : 'MISSED'}; ${fmtRatio(s.median / as.median)} of the raw sorted API call`);
    report({ name: `studio first rows (${fmtInt(RUNS)} runs)`, value: f.median, unit: 'ms (median)', extra: `max ${fmtMs(f.max)} ms`, baseline: a1.median, baselineLabel: 'raw API first screen ms', ratio: f.median / a1.median, goal: `< ${FIRST_ROWS_GOAL} ms`, met: f.median < FIRST_ROWS_GOAL, lowerIsBetter: true });
    report({ name: `studio sort by metric (${fmtInt(RUNS)} runs)`, value: s.median, unit: 'ms (median)', extra: `max ${fmtMs(s.max)} ms`, baseline: as.median, baselineLabel: 'raw sorted API ms', ratio: s.median / as.median, goal: `< ${SORT_GOAL} ms`, met: s.median < SORT_GOAL, lowerIsBetter: true });
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
