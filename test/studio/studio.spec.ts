/**
 * The studio end to end: a real server, the real CLI submitting jobs, Debian's Chromium.
 * Each test states what a person would do and see.
 */
import { join } from 'node:path';
import { routes } from '@lathe/contract';
import { REPO } from '../support/lathe-process.js';
import { expect, test, waitForRun } from './fixtures.js';

const LIVE_JOB = join(REPO, 'test/studio/fixtures/live-job/job.yml');
const TRAIN_LINEAR = join(REPO, 'examples/train-linear/job.yml');
const hasModels = 'listModels' in routes && 'getModelVersion' in routes;
const hasFilter = 'filter' in (routes.listRuns.query as unknown as { shape: Record<string, unknown> }).shape;

test('the printed sign-in link signs in and leaves no token in the address or history', async ({ page, studio }) => {
  expect(studio.signInLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=lathe_/);
  await page.goto(studio.signInLink);
  await expect(page).toHaveURL(/\/w\/default\/experiments$/);
  expect(page.url()).not.toContain('token');
  await expect(page.getByRole('heading', { name: 'Experiments' })).toBeVisible();
  // Back does not return to the address with the token.
  await page.goBack().catch(() => undefined);
  expect(page.url()).not.toContain('token=');
  // `lathe studio` prints the same link (and opening a browser where there is none is no error).
  expect((await studio.cli('studio', '--no-open')).trim()).toBe(`Studio: ${studio.signInLink}`);
  expect(await studio.cli('studio')).toContain('Studio: ');
});

test('another user signs in with their own token; a wrong token is refused with a reason', async ({ browser, studio }) => {
  const { token } = await studio.lathe.client.call('createUser', { body: { name: 'grace' } });
  await studio.lathe.client.call('addMember', { body: { user: 'grace', role: 'reader' } });
  const page = await (await browser.newContext()).newPage();
  await page.goto(new URL('/w/default/compute', studio.lathe.url).href);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByLabel('Token').fill('lathe_not_a_real_token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('does not accept that token');
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/w\/default\/compute$/);
  await expect(page.locator('.sidebar .user')).toHaveText('grace');
  await expect(page.locator('[data-compute="local"]')).toBeVisible();
  await page.context().close();
});

test('a submitted job turns Completed in the open page without a reload, with its chart, logs, outputs and child run', async ({ signedIn: page, studio }) => {
  const id = await studio.submit(LIVE_JOB);
  await page.goto(new URL(`/w/default/runs/${id}`, studio.lathe.url).href);
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const badge = page.locator('.run-title .status');
  await expect(badge).not.toHaveAttribute('data-status', 'Completed');
  await expect(badge).toHaveAttribute('data-status', 'Completed', { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await expect(page.getByTestId('overview-status')).toContainText('exit 0');
  await expect(page.getByTestId('command')).toContainText('python3 train.py');

  await page.getByRole('tab', { name: 'Metrics' }).click();
  const loss = page.locator('[data-metric="loss"]');
  await expect(loss.getByTestId('points')).toHaveText('20 points');
  await expect(loss.locator('.uplot')).toHaveAttribute('data-drawn', '20');

  await page.getByRole('tab', { name: 'Logs' }).click();
  await expect(page.getByTestId('log')).toContainText('training done');
  await page.getByLabel('Search the log').fill('step 7:');
  await expect(page.locator('.log-view .toolbar')).toContainText('1 of 1');
  await expect(page.locator('mark')).toHaveText('step 7:');

  await page.getByRole('tab', { name: 'Outputs' }).click();
  await page.getByRole('treeitem', { name: /losses\.csv/ }).click();
  await expect(page).toHaveURL(/path=outputs%2Flosses\.csv/);
  const csv = page.getByTestId('csv-preview');
  await expect(csv.locator('thead')).toContainText('loss');
  await expect(csv.locator('tbody tr')).toHaveCount(20);
  await page.getByRole('treeitem', { name: /summary\.json/ }).click();
  await expect(page.getByTestId('text-preview')).toContainText('"final_loss": 0.05');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download' }).click();
  expect((await download).suggestedFilename()).toBe('summary.json');

  await page.getByRole('tab', { name: 'Code' }).click();
  await expect(page.getByTestId('text-preview')).toContainText('import lathe');

  await page.getByRole('tab', { name: 'Child runs' }).click();
  await expect(page.locator('.tree-run')).toContainText('evaluation');
});

test('the runs table shows a new run and its status change live, sorts on the server, and keeps the view in the address', async ({ signedIn: page, studio }) => {
  const first = await studio.submit(TRAIN_LINEAR, 'inputs.learning_rate=0.01');
  await waitForRun(studio, first);
  await page.goto(new URL('/w/default/experiments/train-linear', studio.lathe.url).href);
  await expect(page.getByTestId('run-count')).toHaveText('1 run');

  const second = await studio.submit(TRAIN_LINEAR, 'inputs.learning_rate=0.05');
  const row = page.locator(`[data-run="${second}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(row.locator('.status')).toHaveAttribute('data-status', 'Completed', { timeout: 60_000 });
  await expect(page.getByTestId('run-count')).toHaveText('2 runs');

  // Sort by the loss metric, smallest first: the faster learning rate wins. Metric columns
  // sit to the right of the attributes: scroll there (columns are virtualised).
  await page.getByTestId('runs-grid').evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await page.locator('[data-column="metric:loss"]').click();
  await expect(page).toHaveURL(/order=metrics\.loss\+ASC/);
  await expect(page.locator('[data-run]').first()).toHaveAttribute('data-run', second);
  await page.locator('[data-column="metric:loss"]').click();
  await expect(page).toHaveURL(/order=metrics\.loss\+DESC/);
  await expect(page.locator('[data-run]').first()).toHaveAttribute('data-run', first);
  // The address is the view: Back returns to the previous order.
  await page.goBack();
  await expect(page).toHaveURL(/order=metrics\.loss\+ASC/);
  await expect(page.locator('[data-run]').first()).toHaveAttribute('data-run', second);

  // Keyboard: move to the first row and open it.
  await page.getByTestId('runs-grid').focus();
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/runs/${second}$`));
  await page.goBack();
  await expect(page.getByTestId('runs-grid')).toBeVisible();
});

test('comparing two runs overlays their loss, marks what differs and draws parallel coordinates', async ({ signedIn: page, studio }) => {
  const a = await studio.submit(TRAIN_LINEAR, 'inputs.learning_rate=0.02');
  const b = await studio.submit(TRAIN_LINEAR, 'inputs.learning_rate=0.08');
  await Promise.all([waitForRun(studio, a), waitForRun(studio, b)]);
  await page.goto(new URL('/w/default/experiments/train-linear', studio.lathe.url).href);
  for (const id of [a, b]) await page.locator(`[data-run="${id}"] input[type=checkbox]`).check();
  await page.getByRole('button', { name: /Compare \(2\)/ }).click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?runs=${a},${b}$`));
  await expect(page.getByTestId('compare-runs')).toContainText(a);
  const lossChart = page.locator('[data-metric="loss"]');
  await expect(lossChart.getByTestId('points')).toHaveText('100 points');
  await expect(lossChart.locator('.uplot')).toHaveAttribute('data-drawn', '50');
  const row = (key: string) => page.getByTestId('diff-table').locator('tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${key}$`) }) });
  const lr = row('learning_rate');
  await expect(lr).toHaveAttribute('data-differs', 'true');
  await expect(lr).toContainText('0.02');
  await expect(row('epochs')).toHaveAttribute('data-differs', 'false');
  await expect(page.getByTestId('parallel-coordinates').locator('polyline')).toHaveCount(2);
});

test('the filter box passes the search grammar to the server and shows its error inline', async ({ signedIn: page, studio }) => {
  test.skip(!hasFilter, 'the runs API has no filter parameter yet');
  const id = await studio.submit(TRAIN_LINEAR, 'inputs.learning_rate=0.04');
  await waitForRun(studio, id);
  await page.goto(new URL('/w/default/experiments/train-linear', studio.lathe.url).href);
  const box = page.getByLabel('Filter runs');
  await box.fill("params.learning_rate = '0.04'");
  await box.press('Enter');
  await expect(page).toHaveURL(/filter=/);
  await expect(page.getByTestId('run-count')).toHaveText('1 run');
  await expect(page.locator('[data-run]')).toHaveCount(1);
  await box.fill('metrics.loss <<< 1');
  await box.press('Enter');
  await expect(page.getByTestId('filter-error')).toBeVisible();
});

test('a model registered from a job shows its versions, files and the run that produced it', async ({ signedIn: page, studio }) => {
  test.skip(!hasModels, 'the server has no model registry yet');
  const id = await studio.submit(TRAIN_LINEAR);
  await waitForRun(studio, id);
  await studio.cli('model', 'create', '--name', 'linear-e2e', '--path', `azureml://jobs/${id}/outputs/model/paths/`);
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page).toHaveURL(/\/w\/default\/models$/);
  await page.getByRole('link', { name: 'linear-e2e' }).click();
  await expect(page.getByTestId('model-versions')).toContainText(id);
  await page.getByRole('link', { name: 'v1', exact: true }).first().click();
  await expect(page).toHaveURL(/\/models\/linear-e2e\/1$/);
  await expect(page.getByRole('link', { name: id })).toBeVisible();
  await expect(page.getByTestId('text-preview')).toContainText('"a"');
  // Lineage the other way: the run lists the model registered from it.
  await page.getByRole('link', { name: id }).click();
  await expect(page.getByRole('link', { name: 'linear-e2e v1' })).toBeVisible();
});

test('theme, shortcuts, compute and deep links to unknown things say what happened', async ({ signedIn: page, studio }) => {
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.keyboard.press('t');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).not.toBe(before);
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await expect(page).toHaveURL(/\/w\/default\/compute$/);
  await expect(page.locator('[data-compute="local"]')).toContainText('slots in use');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');

  await page.goto(new URL('/w/default/runs/no_such_run', studio.lathe.url).href);
  await expect(page.getByRole('alert')).toContainText("'no_such_run' not found");
  await page.goto(new URL('/w/nowhere/experiments', studio.lathe.url).href);
  await expect(page.getByRole('alert')).toContainText('not a member');
  // A wrong API path stays a JSON error, not the app.
  const res = await page.request.get(new URL('/api/v1/nothing-here', studio.lathe.url).href);
  expect(res.status()).toBe(404);
  expect((await res.json()).error.code).toBe('NOT_FOUND');
});
