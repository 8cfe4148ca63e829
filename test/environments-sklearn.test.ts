/**
 * examples/sklearn-env: a registered environment with scikit-learn trains a real model,
 * and the same training runs unchanged under Azure ML's curated environment name.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Environment, Run } from '@lathe/contract';
import { cleanup, runCli, tempDir } from './support/lathe-process.js';
import { useLathe } from './support/use-lathe.js';

const jobName = (stderr: string) => /Submitted job (\S+)/.exec(stderr)![1]!;

describe('examples/sklearn-env, run through the CLI against a real server', () => {
  const lathe = useLathe();

  it('registers the environment and trains a random forest in it; the model predicts', async () => {
    const created = await runCli(lathe().home, ['environment', 'create', '-f', 'examples/sklearn-env/environment.yml', '-o', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const env = JSON.parse(created.stdout) as Environment;
    expect(env.spec.python).toMatchObject({ version: '3.11', system_site_packages: true });

    const res = await runCli(lathe().home, ['job', 'create', '-f', 'examples/sklearn-env/job.yml', '--stream'], { timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/python 3\.11\.\d+ in \S+\/\.cache\/envs\/[0-9a-f]{64}\/venv/);
    expect(res.stdout).toMatch(/scikit-learn \d+\.\d+/);
    const name = jobName(res.stderr);

    const run = JSON.parse((await runCli(lathe().home, ['job', 'show', '-n', name, '-o', 'json'])).stdout) as Run;
    expect(run.status).toBe('Completed');
    expect(run.params).toMatchObject({ n_estimators: '50', max_depth: '4', train_rows: '105' });
    expect(run.metrics.accuracy!.value as number).toBeGreaterThan(0.85);
    expect(run.tags.sklearn_version).toMatch(/^\d+\.\d+/);
    expect(run.job!.resolved_environment).toMatchObject({ name: 'sklearn-env', version: 1, hash: env.hash, source: 'workspace' });

    const dest = tempDir();
    const dl = await runCli(lathe().home, ['job', 'download', '-n', name, '--output-name', 'model', '-p', dest]);
    expect(dl.code).toBe(0);
    // The model is a real scikit-learn estimator: load it and classify an iris flower.
    const predict = spawnSync('/usr/bin/python3', ['-c', 'import pickle,sys; m=pickle.load(open(sys.argv[1],"rb")); print(m.predict([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]).tolist())', join(dest, 'named-outputs/model/model.pkl')]);
    expect(predict.stdout.toString().trim(), predict.stderr.toString()).toBe('[0, 2]');
    cleanup(dest);
  });

  it('runs the Azure ML YAML naming AzureML-sklearn-1.5@latest unchanged, through the alias map', async () => {
    const res = await runCli(lathe().home, ['job', 'create', '-f', 'examples/sklearn-env/job-curated.yml', '--stream'], { timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('[lathe] environment: curated lathe-sklearn:1 (azureml:AzureML-sklearn-1.5@latest, through the alias AzureML-sklearn-1.5)');
    expect(res.stdout).toMatch(/accuracy=0\.\d+/);
    const show = await runCli(lathe().home, ['job', 'show', '-n', jobName(res.stderr)]);
    expect(show.stdout).toMatch(/Environment:\s+curated lathe-sklearn:1, sha256 [0-9a-f]{12} \(azureml:AzureML-sklearn-1\.5@latest through the alias map\)/);
  });
});
