import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor } from './support/lathe-process.js';
import { useLathe } from './support/use-lathe.js';

function jobDir(yaml: string, files: Record<string, string> = {}): string {
  const dir = tempDir('lathe-job-');
  writeFileSync(join(dir, 'job.yml'), yaml);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('jobs that fail, time out or are canceled', () => {
  const lathe = useLathe();

  it('a script exiting non-zero makes the job Failed with its exit code, and --stream exits 3', async () => {
    const dir = jobDir('command: echo about to fail && exit 7\n');
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.code).toBe(3);
    expect(res.stdout).toContain('about to fail');
    expect(res.stderr).toContain('Status: Failed');
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    const run = await lathe().client.call('getRun', { params: { run: name } });
    expect(run.exit_code).toBe(7);
    expect(run.status_reason).toBe('The command exited with code 7');
    const again = await runCli(lathe().home, ['job', 'stream', '-n', name]);
    expect(again.code).toBe(3);
  });

  it('limits.timeout cancels a job that never ends, with that reason, and kills its children', async () => {
    const pidFile = join(tempDir(), 'child.pid');
    const dir = jobDir(`command: (sleep 300 & echo $! > ${pidFile}; wait)\nlimits:\n  timeout: 2\n`);
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.code).toBe(4);
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    const run = await lathe().client.call('getRun', { params: { run: name } });
    expect(run.status).toBe('Canceled');
    expect(run.status_reason).toContain('limits.timeout (2 s)');
    const { readFileSync } = await import('node:fs');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the background sleep to be killed', async () => !processAlive(pid), 10_000);
  });

  it('cancel stops the whole process tree and the job ends Canceled', async () => {
    const pidFile = join(tempDir(), 'grandchild.pid');
    const dir = jobDir(`command: bash -c 'sleep 300 & echo $! > ${pidFile}; wait'\n`);
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml'), '-o', 'json']);
    const name = (JSON.parse(res.stdout) as { id: string }).id;
    const { existsSync, readFileSync } = await import('node:fs');
    await waitFor('the job to start its grandchild', async () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().length > 0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(pid)).toBe(true);
    const cancel = await runCli(lathe().home, ['job', 'cancel', '-n', name]);
    expect(cancel.code).toBe(0);
    const run = await waitFor('Canceled', async () => {
      const r = await lathe().client.call('getRun', { params: { run: name } });
      return r.status === 'Canceled' && r;
    });
    expect(run.status_reason).toBe('Canceled by user');
    await waitFor('the grandchild to be killed', async () => !processAlive(pid), 10_000);
  });

  it('a stop asked again while the job winds down (as the reconciler does) still ends Canceled', async () => {
    // The job ignores SIGTERM, so the agent sits in its kill grace period; its parent is the agent.
    const agentPidFile = join(tempDir(), 'agent.pid');
    const dir = jobDir(`command: trap '' TERM; echo $PPID > ${agentPidFile}; sleep 300\n`);
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml'), '-o', 'json']);
    const name = (JSON.parse(res.stdout) as { id: string }).id;
    const { existsSync, readFileSync } = await import('node:fs');
    await waitFor('the job to start', async () => existsSync(agentPidFile) && readFileSync(agentPidFile, 'utf8').trim().length > 0);
    const agentPid = Number(readFileSync(agentPidFile, 'utf8'));
    await lathe().client.call('cancelRun', { params: { run: name }, body: {} });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(agentPid, 'SIGTERM');
    const run = await waitFor('Canceled', async () => {
      const r = await lathe().client.call('getRun', { params: { run: name } });
      return ['Canceled', 'Failed'].includes(r.status) && r;
    }, 20_000);
    expect(run.status).toBe('Canceled');
    expect(run.status_reason).toBe('Canceled by user');
  });

  it('a queued job can be canceled before it starts', async () => {
    const blocker = jobDir('command: sleep 30\ncompute: azureml:single\n');
    await runCli(lathe().home, ['compute', 'create', '--name', 'single', '--slots', '1']);
    const first = JSON.parse((await runCli(lathe().home, ['job', 'create', '-f', join(blocker, 'job.yml'), '-o', 'json'])).stdout) as { id: string };
    const second = JSON.parse((await runCli(lathe().home, ['job', 'create', '-f', join(blocker, 'job.yml'), '-o', 'json'])).stdout) as { id: string };
    await waitFor('the first job to run', async () => (await lathe().client.call('getRun', { params: { run: first.id } })).status === 'Running');
    const queued = await lathe().client.call('getRun', { params: { run: second.id } });
    expect(queued.status).toBe('Queued');
    const canceled = await lathe().client.call('cancelRun', { params: { run: second.id }, body: {} });
    expect(canceled.status).toBe('Canceled');
    expect(canceled.started_at).toBeNull();
    await lathe().client.call('cancelRun', { params: { run: first.id }, body: {} });
  });

  it('an unknown compute is refused with the command that creates it', async () => {
    const dir = jobDir('command: echo hi\ncompute: azureml:cpu-cluster\n');
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("compute 'cpu-cluster' does not exist");
    expect(res.stderr).toContain('lathe compute create --name cpu-cluster --type local');
  });
});

describe('bad job files are refused before anything is queued', () => {
  const lathe = useLathe();

  const submit = (dir: string) => runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml')]);
  const noJobs = async () => expect((await lathe().client.call('listRuns', {})).items).toEqual([]);

  it('malformed YAML names file, line and column', async () => {
    const dir = jobDir('command: echo hi\ninputs:\n  a: [1, 2\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/job\.yml:\d+:\d+/);
    await noJobs();
  });

  it('an unknown key names file, line, column and the key, and suggests the right one', async () => {
    const dir = jobDir('command: echo hi\nexperiment_nme: x\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('job.yml:2:1');
    expect(res.stderr).toContain("unknown key 'experiment_nme'");
    expect(res.stderr).toContain('experiment_name');
    await noJobs();
  });

  it('a wrong type names what was expected', async () => {
    const dir = jobDir('command: echo hi\nlimits:\n  timeout: soon\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('job.yml:3:12');
    expect(res.stderr).toContain('limits.timeout');
    await noJobs();
  });

  it('a missing code folder is named', async () => {
    const dir = jobDir('command: python3 train.py\ncode: ./src\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(join(dir, 'src'));
    await noJobs();
  });

  it('a command referencing an undeclared input is refused', async () => {
    const dir = jobDir('command: echo ${{inputs.epochs}}\ninputs:\n  lr: 0.1\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('inputs.epochs');
    await noJobs();
  });

  it('a snapshot over the limit lists the largest files', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`src/file${i}.txt`] = 'x'.repeat(1000 * (i + 1));
    const dir = jobDir('command: ls\ncode: src\n', files);
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml')], { env: { LATHE_SNAPSHOT_MAX_FILES: '5' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('file11.txt');
    expect(res.stderr).toContain('.amlignore');
    await noJobs();
  });

  it('a Docker build context is refused on a compute without containers', async () => {
    const dir = jobDir('command: echo hi\nenvironment:\n  build:\n    path: ./docker\n');
    const res = await submit(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('container runtime');
    await noJobs();
  });
});
