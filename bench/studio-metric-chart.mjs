#!/usr/bin/env node
/**
 * The studio's metric chart for a metric of 1,000,000 points.
 *
 * A server runs as a child process; one run logs `loss` at steps 0..999,999 through the
 * API (1,000-point batches). Figures (Chromium driving the built studio, medians of
 * BENCH_STUDIO_REPS):
 *  - chart drawn after opening the Metrics tab: tab click → uPlot has drawn the
 *    downsampled series (the studio's `lathe:chart-drawn` mark). Goal < 500 ms.
 *  - chart drawn after navigating straight to the run's Metrics URL (page load included).
 *  - zoom: drag across the chart → the zoomed step range fetched again and drawn.
 * Baselines in the same run: the raw `metrics/series` API call from Node, and a bare page.
 *
 * Env: BENCH_CHART_POINTS (1000000), BENCH_STUDIO_REPS (5).
 */
import { fmtInt, fmtMs, fmtRatio, log, now, report, startChildServer, stats } from './lib.mjs';
import { bareNavigation, launchBrowser, markAfterNavigation, signedInPage } from './studio-lib.mjs';

const POINTS = Number(process.env.BENCH_CHART_POINTS ?? 1_000_000);
const REPS = Number(process.env.BENCH_STUDIO_REPS ?? 5);
const GOAL_MS = 500;
const BATCH = 1000;
const CONCURRENCY = 4;
const T0 = 1_700_000_000_000;

async function seed(client, run) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      const from = next;
      if (from >= POINTS) return;
      next += BATCH;
      const metrics = [];
      for (let s = from; s < Math.min(POINTS, from + BATCH); s++) metrics.push({ key: 'loss', value: Math.exp(-s / 200_000) + 0.05 * Math.sin(s / 7), step: s, timestamp: T0 + s * 10 });
      await client.call('logBatch', { params: { run }, body: { metrics } });
    }
  }));
}

async function main() {
  log(`studio metric chart: one ${fmtInt(POINTS)}-point metric, ${REPS} repetitions, Chromium + built studio`);
  const server = await startChildServer();
  const browser = await launchBrowser();
  try {
    const { client, url, token } = server;
    const run = await client.call('createRun', { body: { experiment_name: 'bench-chart', display_name: 'million-points' } });
    const t = now();
    await seed(client, run.id);
    await client.call('setRunStatus', { params: { run: run.id }, body: { status: 'Completed' } });
    log(`  logged ${fmtInt(POINTS)} points through the API in ${((now() - t) / 1000).toFixed(1)} s`);

    const api = [];
    for (let i = 0; i < REPS + 1; i++) {
      const s = now();
      await client.call('getMetricSeries', { params: { run: run.id }, query: { key: 'loss', buckets: 1000 } });
      if (i > 0) api.push(now() - s);
    }

    const page = await signedInPage(browser, url, token);
    const bare = [];
    for (let i = 0; i < REPS; i++) bare.push(await bareNavigation(page, `${url}/favicon.svg`));

    const runUrl = `${url}/w/default/runs/${run.id}`;
    // Tab click → drawn, each on a freshly loaded overview (nothing cached).
    const tab = [];
    for (let i = 0; i < REPS; i++) {
      await page.goto(runUrl);
      await page.getByRole('tab', { name: 'Metrics' }).waitFor();
      await page.waitForTimeout(200);
      tab.push(await page.evaluate(() => new Promise((resolve, reject) => {
        const t0 = performance.now();
        const link = [...document.querySelectorAll('[role="tab"]')].find((a) => a.textContent === 'Metrics');
        link.click();
        const check = () => {
          const drawn = performance.getEntriesByName('lathe:chart-drawn').find((m) => m.startTime >= t0);
          const el = document.querySelector('[data-metric="loss"] .uplot');
          if (drawn && el?.dataset.drawn) resolve(drawn.startTime - t0);
          else if (performance.now() - t0 > 20_000) reject(new Error('chart not drawn'));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      })));
    }
    const drawnPoints = await page.locator('[data-metric="loss"] .uplot').getAttribute('data-drawn');
    const pointsText = await page.locator('[data-metric="loss"]').getByTestId('points').textContent();

    // Straight to the Metrics URL: page load, run, keys, series, draw.
    const nav = [];
    for (let i = 0; i < REPS; i++) nav.push(await markAfterNavigation(page, `${runUrl}/metrics`, 'lathe:chart-drawn'));

    // Zoom: drag across the middle fifth of the plot; the zoomed range is fetched again and drawn.
    const zoom = [];
    for (let i = 0; i < REPS; i++) {
      await page.goto(`${runUrl}/metrics`);
      const over = page.locator('[data-metric="loss"] .u-over');
      await over.waitFor();
      await page.waitForTimeout(300);
      const box = await over.boundingBox();
      await page.evaluate(() => {
        performance.clearResourceTimings();
        window.__mouseup = null;
        window.addEventListener('mouseup', () => (window.__mouseup = performance.now()), { once: true, capture: true });
      });
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      zoom.push(await page.evaluate(() => new Promise((resolve, reject) => {
        const start = performance.now();
        const check = () => {
          const res = performance.getEntriesByType('resource').find((e) => e.name.includes('metrics/series') && e.name.includes('min_step'));
          const drawn = res && performance.getEntriesByName('lathe:chart-drawn').find((m) => m.startTime >= res.responseEnd);
          if (drawn) resolve(drawn.startTime - window.__mouseup);
          else if (performance.now() - start > 20_000) reject(new Error('zoomed chart not drawn'));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      })));
    }

    const a = stats(api);
    const b = stats(bare);
    const tb = stats(tab);
    const nv = stats(nav);
    const zm = stats(zoom);
    log(`  the chart drew ${drawnPoints} x positions (buckets with min/max band) and says "${pointsText}"`);
    log(`  raw API from Node: GET metrics/series (1000 buckets) median ${fmtMs(a.median)} ms; bare page navigation median ${fmtMs(b.median)} ms`);
    log(`studio chart drawn after opening the Metrics tab (${fmtInt(POINTS)} points): median ${fmtMs(tb.median)} ms, max ${fmtMs(tb.max)} ms (goal < ${GOAL_MS} ms) ${tb.median < GOAL_MS ? 'MET' : 'MISSED'}; ${fmtRatio(tb.median / a.median)} of the raw API call`);
    log(`studio chart drawn after navigating to the Metrics URL: median ${fmtMs(nv.median)} ms (${fmtRatio(nv.median / b.median)} of a bare page)`);
    log(`studio zoom (drag → finer range fetched and drawn): median ${fmtMs(zm.median)} ms`);
    report({ name: `studio chart drawn (${fmtInt(POINTS)} pts, tab click)`, value: tb.median, unit: 'ms (median)', extra: `max ${fmtMs(tb.max)} ms; from navigation ${fmtMs(nv.median)} ms; zoom ${fmtMs(zm.median)} ms`, baseline: a.median, baselineLabel: 'raw series API ms', ratio: tb.median / a.median, goal: `< ${GOAL_MS} ms`, met: tb.median < GOAL_MS, lowerIsBetter: true });
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
