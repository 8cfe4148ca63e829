import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanup, runCli, tempDir } from './support/lathe-process.js';
import { useLathe } from './support/use-lathe.js';

const SCRIPT = `
import math, os
import lathe

lathe.log_param("optimizer", "sgd")
for step in range(2500):
    lathe.log_metric("loss", 1.0 / (step + 1), step=step)
lathe.log_metric("weird", float("nan"))
with lathe.child_run("trial-1", tags={"fold": "1"}) as trial:
    trial.log_metric("acc", 0.9)
os.makedirs("report", exist_ok=True)
with open("report/summary.txt", "w") as f:
    f.write("all good\\n")
lathe.log_artifact("report", artifact_path="reports")
print("script done")
# no explicit flush: the module flushes at exit
`;

describe('the lathe Python module inside a real job', () => {
  const lathe = useLathe();

  it('logs params, metrics (NaN included), a child run and artifacts, losing nothing at exit', async () => {
    const dir = tempDir('lathe-py-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/main.py'), SCRIPT);
    writeFileSync(join(dir, 'job.yml'), 'code: src\ncommand: python3 main.py\nexperiment_name: py\n');
    const res = await runCli(lathe().home, ['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.stdout).toContain('script done');
    expect(res.code).toBe(0);
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    const run = await lathe().client.call('getRun', { params: { run: name } });
    expect(run.params).toEqual({ optimizer: 'sgd' });
    expect(run.metrics.weird!.value).toBe('NaN');
    const history = await lathe().client.call('getMetricHistory', { params: { run: name }, query: { key: 'loss' } });
    expect(history.points).toHaveLength(2500);
    const children = await lathe().client.call('listRuns', { query: { parent_run_id: name } });
    expect(children.items).toHaveLength(1);
    expect(children.items[0]).toMatchObject({ display_name: 'trial-1', status: 'Completed', tags: { fold: '1' } });
    expect(children.items[0]!.metrics.acc!.value).toBe(0.9);
    const artifact = await lathe().client.download('downloadArtifact', { params: { run: name }, query: { path: 'reports/summary.txt' } });
    expect(await artifact.text()).toBe('all good\n');
    cleanup(dir);
  });
});
