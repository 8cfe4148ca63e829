import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, type LatheProcess } from './support/lathe-process.js';

const TRAIN = `
import json, os
import lathe
os.makedirs("model_dir", exist_ok=True)
with open("model_dir/model.json", "w") as f:
    json.dump({"a": 2.0, "b": 1.0}, f)
with open("model_dir/MLmodel", "w") as f:
    f.write("flavors:\\n  python_function:\\n    loader_module: linear\\nsignature:\\n  inputs: '[{\\"name\\": \\"x\\", \\"type\\": \\"double\\"}]'\\n  outputs: '[{\\"type\\": \\"double\\"}]'\\n")
v = lathe.register_model("linear", "model_dir", tags={"from": "script"})
print("registered", v["name"], v["version"])
os.makedirs("outputs", exist_ok=True)
with open("outputs/weights.txt", "w") as f:
    f.write("2.0 1.0")
`;

describe('the model registry through the CLI and the Python module', () => {
  let lathe: LatheProcess;
  let jobName: string;
  const cli = (args: string[]) => runCli(lathe.home, args);
  beforeAll(async () => {
    lathe = await startLathe();
    const dir = tempDir('lathe-model-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/train.py'), TRAIN);
    writeFileSync(join(dir, 'job.yml'), 'code: src\ncommand: python3 train.py\nexperiment_name: models\noutputs:\n  model_out:\n    type: uri_folder\n');
    const res = await cli(['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('registered linear 1');
    jobName = /Submitted job (\S+)/.exec(res.stderr)![1]!;
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  it('a job registers a model with lathe.register_model; lineage runs both ways', async () => {
    const v = JSON.parse((await cli(['model', 'show', '--name', 'azureml:linear:1', '-o', 'json'])).stdout) as ModelVersion;
    expect(v).toMatchObject({ name: 'linear', version: 1, type: 'mlflow_model', run_id: jobName, tags: { from: 'script' }, file_count: 2 });
    expect(v.mlmodel!.flavors).toEqual(['python_function']);
    const shown = (await cli(['model', 'show', '--name', 'linear', '--label', 'latest'])).stdout;
    expect(shown).toContain('Flavors:        python_function');
    expect(shown).toContain('Signature in:   [{"name":"x","type":"double"}]');
    expect(shown).toContain(`Job:            ${jobName}`);
    const job = JSON.parse((await cli(['job', 'show', '-n', jobName, '-o', 'json'])).stdout) as { models: Array<{ name: string; version: number }> };
    expect(job.models).toEqual([{ name: 'linear', version: 1 }]);
    expect((await cli(['job', 'show', '-n', jobName])).stdout).toMatch(/Models:\s+linear:1/);
  });

  it('creates versions from a job output, a run path and a local folder; versions auto-increment', async () => {
    const fromJob = JSON.parse((await cli(['model', 'create', '--name', 'linear', '--path', `azureml://jobs/${jobName}/outputs/artifacts/paths/outputs`, '-o', 'json'])).stdout) as ModelVersion;
    expect(fromJob).toMatchObject({ version: 2, type: 'custom_model', run_id: jobName, file_count: 1 });
    const fromRun = JSON.parse((await cli(['model', 'create', '--name', 'linear', '--path', `runs:/${jobName}/outputs/weights.txt`, '--tag', 'kind=weights', '-o', 'json'])).stdout) as ModelVersion;
    expect(fromRun).toMatchObject({ version: 3, file_count: 1, tags: { kind: 'weights' } });

    const dir = tempDir('lathe-modelyml-');
    mkdirSync(join(dir, 'files'));
    writeFileSync(join(dir, 'files/model.bin'), 'weights');
    writeFileSync(join(dir, 'model.yml'), '$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: local-model\ntype: custom_model\npath: files\ndescription: from a folder\ntags:\n  owner: me\nproperties:\n  accuracy: 0.9\n');
    const created = await cli(['model', 'create', '-f', join(dir, 'model.yml'), '-o', 'json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'local-model', version: 1, description: 'from a folder', tags: { owner: 'me' }, properties: { accuracy: '0.9' } });
    const again = JSON.parse((await cli(['model', 'create', '-f', join(dir, 'model.yml'), '-o', 'json'])).stdout) as ModelVersion;
    expect(again.version).toBe(2);

    const dest = tempDir();
    expect((await cli(['model', 'download', '--name', 'local-model', '--version', '1', '-p', dest])).code).toBe(0);
    expect(readFileSync(join(dest, 'local-model/model.bin'), 'utf8')).toBe('weights');
    cleanup(dir);
    cleanup(dest);
  });

  it('lists models and versions, searches by tag, archives', async () => {
    const models = JSON.parse((await cli(['model', 'list', '-o', 'json'])).stdout) as RegisteredModel[];
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['linear', 'local-model']));
    const tagged = JSON.parse((await cli(['model', 'list', '--tag', 'owner=me', '-o', 'json'])).stdout) as RegisteredModel[];
    expect(tagged.map((m) => m.name)).toEqual(['local-model']);
    const versions = JSON.parse((await cli(['model', 'list', '--name', 'linear', '--tag', 'kind=weights', '-o', 'json'])).stdout) as ModelVersion[];
    expect(versions.map((v) => v.version)).toEqual([3]);
    expect((await cli(['model', 'archive', '--name', 'linear', '--version', '3'])).code).toBe(0);
    const latest = JSON.parse((await cli(['model', 'show', '--name', 'azureml:linear@latest', '-o', 'json'])).stdout) as ModelVersion;
    expect(latest.version).toBe(2);
    const listed = JSON.parse((await cli(['model', 'list', '--name', 'linear', '-o', 'json'])).stdout) as ModelVersion[];
    expect(listed.map((v) => v.version)).toEqual([2, 1]);
    expect((await cli(['model', 'restore', '--name', 'linear', '--version', '3'])).code).toBe(0);
  });

  it('a job takes a registered model as an input by azureml:name:version', async () => {
    const dir = tempDir('lathe-usemodel-');
    writeFileSync(join(dir, 'job.yml'), 'command: cat ${{inputs.model}}/model.json\ninputs:\n  model:\n    type: mlflow_model\n    path: azureml:linear:1\n');
    const res = await cli(['job', 'create', '-f', join(dir, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('{"a": 2.0, "b": 1.0}');
    const missing = await cli(['job', 'create', '-f', join(dir, 'job.yml'), '--set', 'inputs.model.path=azureml:linear:99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Model Version (name=linear, version=99) not found');
    cleanup(dir);
  });

  it('bad model files and references get clear errors', async () => {
    const dir = tempDir('lathe-badmodel-');
    writeFileSync(join(dir, 'model.yml'), 'name: m\npath: x\nflavour: sklearn\n');
    const res = await cli(['model', 'create', '-f', join(dir, 'model.yml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('model.yml:3:1');
    expect(res.stderr).toContain("unknown key 'flavour'");
    const nopath = await cli(['model', 'create', '--name', 'm', '--path', join(dir, 'nothing-here')]);
    expect(nopath.stderr).toContain('does not exist');
    const badRun = await cli(['model', 'create', '--name', 'm', '--path', 'runs:/no_such_job/model']);
    expect(badRun.stderr).toContain("job 'no_such_job' not found");
    const badName = await cli(['model', 'create', '--name', 'bad name', '--path', `runs:/${jobName}/outputs`]);
    expect(badName.stderr).toContain("invalid model name 'bad name'");
    expect((await cli(['model', 'show', '--name', 'nope', '--version', '1'])).stderr).toContain('Registered Model with name=nope not found');
    cleanup(dir);
  });
});
