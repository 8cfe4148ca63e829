import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, runCli, startLathe, tempDir, waitFor, type LatheProcess } from './support/lathe-process.js';

function jobFile(command: string): string {
  const dir = tempDir('lathe-job-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'job.yml'), `command: ${JSON.stringify(command)}\n`);
  return join(dir, 'job.yml');
}

describe('a server restart neither orphans nor forgets runs', () => {
  const servers: LatheProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill().catch(() => undefined);
  });

  it('reattaches to a live agent: the job keeps running through the restart and completes', async () => {
    const first = await startLathe();
    servers.push(first);
    const res = await runCli(first.home, ['job', 'create', '-f', jobFile('echo before; sleep 4; echo after'), '-o', 'json']);
    const name = (JSON.parse(res.stdout) as { id: string }).id;
    await waitFor('Running', async () => (await first.client.call('getRun', { params: { run: name } })).status === 'Running');
    expect(await first.stop()).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const second = await startLathe({ home: first.home, port: first.port });
    servers.push(second);
    const run = await waitFor('Completed', async () => {
      const r = await second.client.call('getRun', { params: { run: name } });
      return r.status === 'Completed' && r;
    });
    expect(run.exit_code).toBe(0);
    const log = await (await second.client.download('readLog', { params: { run: name }, query: { offset: 0 } })).text();
    expect(log).toContain('before');
    expect(log).toContain('after');
    cleanup(first.home);
  });

  it('marks a run Failed, with the reason, when its agent died while the server was down', async () => {
    const first = await startLathe();
    servers.push(first);
    const res = await runCli(first.home, ['job', 'create', '-f', jobFile('sleep 307'), '-o', 'json']);
    const name = (JSON.parse(res.stdout) as { id: string }).id;
    await waitFor('Running', async () => (await first.client.call('getRun', { params: { run: name } })).status === 'Running');
    const { execFileSync } = await import('node:child_process');
    await first.kill();
    // find the agent by the run id in its argv, and kill it and its job as a crash would
    // The agent is either a warm spare that took the run (its pid is on file) or one started for it.
    const pidFile = join(first.dataDir, 'agent-logs', `${name}.pid`);
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    else execFileSync('pkill', ['-KILL', '-f', '--', `--run-id ${name}`]);
    execFileSync('pkill', ['-KILL', '-f', '--', 'sleep 307']);
    const second = await startLathe({ home: first.home });
    servers.push(second);
    const run = await waitFor('Failed', async () => {
      const r = await second.client.call('getRun', { params: { run: name } });
      return r.status === 'Failed' && r;
    });
    expect(run.status_reason).toMatch(/agent \(pid \d+\) was not running when the server started/);
    cleanup(first.home);
  });

  it('keeps every acknowledged metric when the server is killed', async () => {
    const first = await startLathe();
    servers.push(first);
    const run = await first.client.call('createRun', { body: { experiment_name: 'crash' } });
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i, step: i }));
    await first.client.call('logBatch', { params: { run: run.id }, body: { metrics } });
    await first.kill();
    const second = await startLathe({ home: first.home });
    servers.push(second);
    const history = await second.client.call('getMetricHistory', { params: { run: run.id }, query: { key: 'loss' } });
    expect(history.points).toHaveLength(1000);
    cleanup(first.home);
  });
});
