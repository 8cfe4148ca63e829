import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Run } from '@lathe/contract';
import { REPO, cleanup, runCli, tempDir } from './support/lathe-process.js';
import { useLathe } from './support/use-lathe.js';

describe('the examples, run through the CLI against a real server', () => {
  const lathe = useLathe();

  it('runs hello: literal inputs, an env var, an output folder; --stream shows the log and exits 0', async () => {
    const res = await runCli(lathe().home, ['job', 'create', '-f', 'examples/hello/job.yml', '--stream']);
    expect(res.stderr).toContain('Status: Completed');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Hello, Lathe!');
    expect(res.stdout).toContain('MY_ENV_VAR=hello from the environment');
    // the optional fragment names an input that is not given, so it is dropped
    expect(res.stdout).not.toContain('optional:');
    // image-only environment on a host without containers: one warning naming the image
    expect(res.stderr).toContain("image 'library/python:latest' is recorded");

    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    const dest = tempDir();
    const dl = await runCli(lathe().home, ['job', 'download', '-n', name, '--output-name', 'greeting_folder', '--download-path', dest]);
    expect(dl.code).toBe(0);
    expect(readFileSync(join(dest, 'named-outputs/greeting_folder/greeting.txt'), 'utf8')).toBe(`hello from ${name}\n`);
    cleanup(dest);
  });

  it('runs train-linear: params, a loss per epoch, a model in outputs; show --output json has the latest metrics', async () => {
    const res = await runCli(lathe().home, ['job', 'create', '-f', 'examples/train-linear/job.yml', '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('model written');
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;

    const show = await runCli(lathe().home, ['job', 'show', '-n', name, '--output', 'json']);
    const run = JSON.parse(show.stdout) as Run;
    expect(run.status).toBe('Completed');
    expect(run.experiment_name).toBe('train-linear');
    expect(run.params).toEqual({ epochs: '50', learning_rate: '0.05', n_points: '200' });
    expect(run.metrics.loss!.step).toBe(49);
    expect(run.metrics.loss!.value as number).toBeLessThan(0.05);
    expect(run.tags.model_kind).toBe('linear');
    expect(run.started_at).toBeGreaterThanOrEqual(run.created_at);
    expect(run.ended_at).toBeGreaterThanOrEqual(run.started_at!);

    const history = await lathe().client.call('getMetricHistory', { params: { run: name }, query: { key: 'loss' } });
    expect(history.points.map((p) => p.step)).toEqual([...Array(50).keys()]);

    const dest = tempDir();
    const dl = await runCli(lathe().home, ['job', 'download', '-n', name, '--all', '--snapshot', '-p', dest]);
    expect(dl.code).toBe(0);
    const model = JSON.parse(readFileSync(join(dest, 'artifacts/outputs/model.json'), 'utf8')) as { a: number; b: number };
    expect(model.a).toBeCloseTo(3, 0);
    expect(JSON.parse(readFileSync(join(dest, 'named-outputs/model/model.json'), 'utf8'))).toEqual(model);
    expect(readFileSync(join(dest, 'artifacts/user_logs/std_log.txt'), 'utf8')).toContain('epoch 49');
    expect(readFileSync(join(dest, 'snapshot/train.py'), 'utf8')).toBe(readFileSync(join(REPO, 'examples/train-linear/src/train.py'), 'utf8'));
    cleanup(dest);
  });

  it('uploads nothing when the same code is submitted again', async () => {
    await runCli(lathe().home, ['job', 'create', '-f', 'examples/train-linear/job.yml', '--set', 'inputs.epochs=2']);
    const again = await runCli(lathe().home, ['job', 'create', '-f', 'examples/train-linear/job.yml', '--set', 'inputs.epochs=3']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/code: uploaded 0 B \(0 file\(s\)\), skipped [0-9.]+ KB \(1 file\(s\) already on the server\)/);
  });

  it('lists jobs by experiment and status, as a table and as JSON', async () => {
    const json = await runCli(lathe().home, ['job', 'list', '--experiment', 'hello', '-o', 'json']);
    const runs = JSON.parse(json.stdout) as Run[];
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.every((r) => r.experiment_name === 'hello')).toBe(true);
    const table = await runCli(lathe().home, ['job', 'list', '--status', 'Completed']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+EXPERIMENT/);
    expect(table.stdout).toContain('train-linear');
  });
});
