/** A real `lathe server` per test file (worker), with the studio signed in through its printed link. */
import { test as base, expect, type Page } from '@playwright/test';
import { cleanup, runCli, startLathe, type LatheProcess } from '../support/lathe-process.js';

export { expect };

export interface Studio {
  lathe: LatheProcess;
  /** The `Studio: …?token=…` line the server printed. */
  signInLink: string;
  /** Submit a job with the CLI; returns its run id. */
  submit(file: string, ...set: string[]): Promise<string>;
  /** Run any CLI command against the server; fails on a non-zero exit. */
  cli(...args: string[]): Promise<string>;
}

export const test = base.extend<{ signedIn: Page }, { studio: Studio }>({
  studio: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      const lathe = await startLathe({ slots: 2 });
      // The Studio line follows the `Lathe listening on` line the helper waits for.
      let m: RegExpExecArray | null = null;
      for (let i = 0; i < 100 && !(m = /Studio: (\S+)/.exec(lathe.output())); i++) await new Promise((r) => setTimeout(r, 50));
      if (!m) throw new Error(`the server printed no Studio line:\n${lathe.output()}`);
      const submit = async (file: string, ...set: string[]) => {
        const args = ['job', 'create', '-f', file, '-o', 'json', ...set.flatMap((s) => ['--set', s])];
        const r = await runCli(lathe.home, args);
        if (r.code !== 0) throw new Error(`lathe ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
        return (JSON.parse(r.stdout) as { id: string }).id;
      };
      const cli = async (...args: string[]) => {
        const r = await runCli(lathe.home, args);
        if (r.code !== 0) throw new Error(`lathe ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
        return r.stdout;
      };
      await use({ lathe, signInLink: m[1]!, submit, cli });
      await lathe.stop();
      cleanup(lathe.home);
    },
    { scope: 'worker' },
  ],
  signedIn: async ({ page, studio }, use) => {
    await page.goto(studio.signInLink);
    await expect(page).toHaveURL(/\/w\/default\/experiments$/);
    await expect(page.getByRole('heading', { name: 'Experiments' })).toBeVisible();
    await use(page);
  },
});

/** Wait for a run to reach a terminal status through the API (setup, not what is being tested). */
export async function waitForRun(studio: Studio, id: string, timeoutMs = 60_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const run = await studio.lathe.client.call('getRun', { params: { run: id } });
    if (['Completed', 'Failed', 'Canceled'].includes(run.status)) return run.status;
    if (Date.now() - start > timeoutMs) throw new Error(`run ${id} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
