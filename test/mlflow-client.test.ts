/**
 * An independent client written by others drives Lathe: the npm package `mlflow` (a Node
 * MLflow REST client). Registry calls go through its own request method (it has no
 * registry wrappers), so every byte on the wire is the client's.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, runCli, startLathe, type LatheProcess } from './support/lathe-process.js';

const require = createRequire(import.meta.url);
const MLflow = require('mlflow').default ?? require('mlflow');
const { MLflowBase } = require('mlflow/lib/mlflow');

type Obj = Record<string, any>;

describe('the npm `mlflow` client against Lathe', () => {
  let lathe: LatheProcess;
  let client: Obj;
  let registry: (path: string) => Obj;
  beforeAll(async () => {
    lathe = await startLathe();
    const opts = { endpoint: lathe.url, headers: { Authorization: `Bearer ${lathe.token}` } };
    client = new MLflow(opts);
    registry = (path: string) => Object.assign(new MLflowBase(opts), { path });
    // the client prints every POST body; keep the test output readable
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await lathe.stop();
    cleanup(lathe.home);
  });

  it('runs a full tracking and registry scenario', async () => {
    const { Experiments, Runs, Metrics, Artifacts } = client;
    const { experiment_id } = await Experiments.create({ name: 'npm-client' });
    expect((await Experiments.get({ experiment_id })).experiment.name).toBe('npm-client');
    const listed = await Experiments.list({ view_type: 'ACTIVE_ONLY' });
    expect(listed.experiments.map((e: Obj) => e.name)).toContain('npm-client');

    const { run } = await Runs.create({ experiment_id, user_id: 'someone', start_time: Date.now(), tags: [{ key: 'source', value: 'npm' }] });
    const run_id = run.info.run_id;
    await Runs.logParameter({ run_id, key: 'alpha', value: '0.5' });
    for (let step = 0; step < 5; step++) await Runs.logMetric({ run_id, key: 'rmse', value: 1 / (step + 1), timestamp: Date.now(), step });
    await Runs.logBatch({ run_id, metrics: [{ key: 'r2', value: 0.9, timestamp: Date.now(), step: 0 }], params: [{ key: 'l1_ratio', value: '0.1' }], tags: [{ key: 'phase', value: 'fit' }] });
    await Runs.setTag({ run_id, key: 'temp', value: 'x' });
    await Runs.deleteTag({ run_id, key: 'temp' });
    await expect(Runs.logParameter({ run_id, key: 'alpha', value: '0.7' })).rejects.toThrow(/INVALID_PARAMETER_VALUE/);

    const history = await Metrics.getHistory({ run_id, metric_key: 'rmse' });
    expect(history.metrics.map((m: Obj) => m.step)).toEqual([0, 1, 2, 3, 4]);

    // an artifact through the proxy, listed by the client
    const put = await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/artifacts/${experiment_id}/${run_id}/artifacts/model/model.txt`, { method: 'PUT', headers: { Authorization: `Bearer ${lathe.token}` }, body: 'y = 0.5x' });
    expect(put.status).toBe(200);
    const files = await Artifacts.list({ run_id });
    expect(files.files).toEqual([{ path: 'model', is_dir: true }]);
    expect((await Artifacts.list({ run_id, path: 'model' })).files).toEqual([{ path: 'model/model.txt', is_dir: false, file_size: 8 }]);

    await Runs.update({ run_id, status: 'FINISHED', end_time: Date.now() });
    const found = await Runs.search({ experiment_ids: [experiment_id], filter: "metrics.rmse < 0.5 and params.alpha = '0.5' and tags.phase = 'fit'", order_by: ['metrics.rmse ASC'] });
    expect(found.runs.map((r: Obj) => r.info.run_id)).toEqual([run_id]);
    expect(found.runs[0].info.status).toBe('FINISHED');

    // the same run in Lathe's own CLI
    const cliList = await runCli(lathe.home, ['job', 'list', '--experiment', 'npm-client', '-o', 'json']);
    expect(JSON.parse(cliList.stdout).map((r: Obj) => [r.id, r.status])).toEqual([[run_id, 'Completed']]);

    // registry: a registered model, two versions from the run, an alias
    const models = registry('/registered-models');
    const versions = registry('/model-versions');
    await models.req('post', '/create', { name: 'npm-model' });
    const v1 = await versions.req('post', '/create', { name: 'npm-model', source: `runs:/${run_id}/model`, run_id });
    const v2 = await versions.req('post', '/create', { name: 'npm-model', source: `runs:/${run_id}/model`, run_id });
    expect([v1.model_version.version, v2.model_version.version]).toEqual(['1', '2']);
    await models.req('post', '/alias', { name: 'npm-model', alias: 'champion', version: '1' });
    const byAlias = await models.req('get', '/alias', { name: 'npm-model', alias: 'champion' });
    expect(byAlias.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const got = await models.req('get', '/get', { name: 'npm-model' });
    expect(got.registered_model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    const search = await versions.req('get', '/search', { filter: `run_id = '${run_id}'` });
    expect(search.model_versions).toHaveLength(2);
    const uri = await versions.req('get', '/get-download-uri', { name: 'npm-model', version: '2' });
    expect(uri.artifact_uri).toBe('mlflow-artifacts:/models/npm-model/2');
    await models.req('delete', '/alias', { name: 'npm-model', alias: 'champion' });
    await expect(models.req('get', '/alias', { name: 'npm-model', alias: 'champion' })).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);

    // and cleanup through the client
    await Runs.delete({ run_id });
    expect((await Runs.get({ run_id })).run.info.lifecycle_stage).toBe('deleted');
    await Runs.restore({ run_id });
    await Experiments.update({ experiment_id, new_name: 'npm-client-2' });
    await Experiments.delete({ experiment_id });
    expect((await Experiments.get({ experiment_id })).experiment.lifecycle_stage).toBe('deleted');
    await Experiments.restore({ experiment_id });
  });

  it('a job logs through MLflow\'s REST API with the variables the agent sets', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('./support/lathe-process.js');
    const dir = tempDir('lathe-mlflowjob-');
    mkdirSync(join(dir, 'src'));
    // What mlflow.log_metric does on the wire, with only the standard library.
    writeFileSync(join(dir, 'src/log.py'), `
import json, os, time, urllib.request
uri, run, token = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_RUN_ID"], os.environ["MLFLOW_TRACKING_TOKEN"]
def call(path, body):
    req = urllib.request.Request(uri + "/api/2.0/mlflow/" + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
for step in range(3):
    call("runs/log-metric", {"run_id": run, "key": "mlflow_loss", "value": 1.0 / (step + 1), "timestamp": int(time.time() * 1000), "step": step})
call("runs/log-parameter", {"run_id": run, "key": "via", "value": "mlflow"})
# a script ending its MLflow run does not end the job
call("runs/update", {"run_id": run, "status": "FINISHED", "end_time": int(time.time() * 1000)})
print("experiment", os.environ["MLFLOW_EXPERIMENT_ID"])
`);
    writeFileSync(join(dir, 'job.yml'), 'code: src\ncommand: python3 log.py && sleep 1 && echo still running\nexperiment_name: via-mlflow\n');
    const res = await runCli(lathe.home, ['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('still running');
    const name = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    const run = await lathe.client.call('getRun', { params: { run: name } });
    expect(run.params).toEqual({ via: 'mlflow' });
    expect(run.metrics.mlflow_loss!.step).toBe(2);
    // and the job is visible to MLflow's search
    const { runs } = await client.Runs.search({ experiment_ids: [run.experiment_id], filter: "params.via = 'mlflow'" });
    expect(runs.map((r: Obj) => r.info.run_id)).toEqual([name]);
    cleanup(dir);
  });
});
