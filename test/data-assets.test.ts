import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataLineage, DataVersion, DataVersionSummary } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, waitFor, type LatheProcess } from './support/lathe-process.js';

describe('data assets: local uploads, versions, references, jobs and lineage', () => {
  let lathe: LatheProcess;
  let work: string;
  const cli = (args: string[]) => runCli(lathe.home, args);
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`lathe ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  beforeAll(async () => {
    lathe = await startLathe();
    work = tempDir('lathe-data-');
    mkdirSync(join(work, 'iris', 'more'), { recursive: true });
    writeFileSync(join(work, 'iris', 'iris.csv'), 'sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,,virginica\n');
    writeFileSync(join(work, 'iris', 'more', 'notes.txt'), 'notes');
    writeFileSync(join(work, 'data.yml'), '$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: iris\ndescription: The iris flowers\ntype: uri_folder\npath: ./iris\ntags: {source: uci}\n');
    writeFileSync(join(work, 'file.yml'), 'name: iris-csv\ntype: uri_file\npath: iris/iris.csv\n');
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
    cleanup(work);
  });

  it('creates versions from an Azure ML data YAML (uploaded to workspaceblobstore), auto-incrementing', async () => {
    const v1 = await json<DataVersion>(['data', 'create', '-f', join(work, 'data.yml')]);
    expect(v1).toMatchObject({ name: 'iris', version: 1, type: 'uri_folder', datastore: 'workspaceblobstore', description: 'The iris flowers', tags: { source: 'uci' }, file_count: 2 });
    expect(v1.path).toMatch(/^azureml:\/\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{64}\/$/);
    expect(v1.files.map((f) => [f.path, f.size])).toEqual([['iris.csv', 69], ['more/notes.txt', 5]]);
    expect(v1.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const v2 = await json<DataVersion>(['data', 'create', '-f', join(work, 'data.yml')]);
    expect(v2.version).toBe(2);
    const explicit = await cli(['data', 'create', '-f', join(work, 'data.yml'), '--version', '2']);
    expect(explicit.stderr).toContain("data asset 'iris' version 2 already exists");
    const file = await json<DataVersion>(['data', 'create', '-f', join(work, 'file.yml')]);
    expect(file.table).toMatchObject({ row_count: 3, files: ['iris.csv'] });
    expect(file.table!.columns.map((c) => [c.name, c.type, c.nulls])).toEqual([['sepal', 'float', 0], ['petal', 'float', 1], ['species', 'string', 0]]);
    const list = await json<DataVersionSummary[]>(['data', 'list']);
    expect(list.map((d) => [d.name, d.version])).toEqual([['iris', 2], ['iris-csv', 1]]);
    expect((await json<DataVersionSummary[]>(['data', 'list', '-n', 'iris'])).map((d) => d.version)).toEqual([2, 1]);
  });

  it('resolves azureml:name:version and azureml:name@latest, and downloads the files', async () => {
    expect((await json<DataVersion>(['data', 'show', '-n', 'azureml:iris@latest'])).version).toBe(2);
    expect((await json<DataVersion>(['data', 'show', '-n', 'azureml:iris:1'])).version).toBe(1);
    expect((await cli(['data', 'show', '-n', 'azureml:iris:9'])).stderr).toContain("data asset 'iris' version 9 not found");
    const dest = join(work, 'out');
    await cli(['data', 'download', '-n', 'iris', '-v', '1', '-p', dest]);
    expect(readFileSync(join(dest, 'iris', 'more', 'notes.txt'), 'utf8')).toBe('notes');
    await cli(['data', 'download', '-n', 'azureml:iris-csv@latest', '-p', dest]);
    expect(readFileSync(join(dest, 'iris-csv', 'iris.csv'), 'utf8')).toContain('versicolor');
  });

  it('a job reads data assets and a datastore URI, writes an output registered as a data asset; lineage both ways', async () => {
    const first = await json<DataVersion>(['data', 'show', '-n', 'iris', '-v', '1']);
    writeFileSync(join(work, 'job.yml'), [
      'command: >-',
      '  wc -l < ${{inputs.table}} > ${{outputs.counts}}/lines.txt &&',
      '  ls ${{inputs.folder}} ${{inputs.raw}} > ${{outputs.counts}}/listing.txt',
      'inputs:',
      '  table: {type: uri_file, path: azureml:iris-csv@latest}',
      '  folder: {type: uri_folder, path: azureml:iris:1, mode: download}',
      `  raw: {type: uri_folder, path: '${first.path}more'}`,
      'outputs:',
      '  counts: {type: uri_folder, name: iris-counts, description: line counts}',
      '',
    ].join('\n'));
    const res = await cli(['job', 'create', '-f', join(work, 'job.yml'), '--stream']);
    expect(res.code).toBe(0);
    const job = /Submitted job (\S+)/.exec(res.stderr)![1]!;
    // The output is registered as the job completes (right after the Completed event).
    await waitFor('the output data asset', async () => (await lathe.client.call('listData', { query: { name: 'iris-counts' } })).items.length > 0);
    const out = await json<DataVersion>(['data', 'show', '-n', 'azureml:iris-counts@latest']);
    expect(out).toMatchObject({ version: 1, run_id: job, description: 'line counts', path: `azureml://datastores/workspaceblobstore/paths/azureml/${job}/counts/` });
    expect(out.files.map((f) => f.path)).toEqual(['lines.txt', 'listing.txt']);
    const dest = join(work, 'counts');
    await cli(['data', 'download', '-n', 'iris-counts', '-v', '1', '-p', dest]);
    expect(readFileSync(join(dest, 'iris-counts', 'lines.txt'), 'utf8').trim()).toBe('4');
    expect(readFileSync(join(dest, 'iris-counts', 'listing.txt'), 'utf8')).toContain('notes.txt');

    const lineage = await json<DataLineage[]>(['data', 'list', '--job', job]);
    expect(lineage.map((l) => [l.direction, l.port, l.name, l.version])).toEqual([
      ['input', 'folder', 'iris', 1], ['input', 'table', 'iris-csv', 1], ['output', 'counts', 'iris-counts', 1],
    ]);
    const shown = (await cli(['data', 'show', '-n', 'iris', '-v', '1'])).stdout;
    expect(shown).toContain(`Read by:      ${job} (input folder)`);
    expect((await cli(['data', 'show', '-n', 'iris-counts', '-v', '1'])).stdout).toContain(`Produced by:  ${job} (output counts)`);
    const jobShown = (await cli(['job', 'show', '-n', job])).stdout;
    expect(jobShown).toMatch(/Data read:\s+iris:1 \(folder\), iris-csv:1 \(table\)/);
    expect(jobShown).toMatch(/Data produced:\s+iris-counts:1 \(counts\)/);
    expect((await json<{ data: DataLineage[] }>(['job', 'show', '-n', job])).data).toHaveLength(3);
  });

  it('runs examples/data: an MLTable asset, a job reading azureml:iris@latest, its output registered', async () => {
    const v = await json<DataVersion>(['data', 'create', '-f', 'examples/data/data.yml']);
    expect(v).toMatchObject({ name: 'iris', version: 3, type: 'mltable', table: { row_count: 10, files: ['iris.csv'] } });
    expect(v.table!.columns.find((c) => c.name === 'sepal_width')).toMatchObject({ type: 'float', nulls: 1 });
    const res = await cli(['job', 'create', '-f', 'examples/data/job.yml', '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('species: setosa, versicolor, virginica');
    await waitFor('iris-summary', async () => (await lathe.client.call('listData', { query: { name: 'iris-summary' } })).items.length > 0);
    const lineage = await json<DataLineage[]>(['data', 'list', '--job', /Submitted job (\S+)/.exec(res.stderr)![1]!]);
    expect(lineage.map((l) => [l.direction, l.name, l.version])).toEqual([['input', 'iris', 3], ['output', 'iris-summary', 1]]);
  });

  it('refuses unknown assets and cloud URIs without a datastore, naming them', async () => {
    writeFileSync(join(work, 'bad.yml'), 'command: ls ${{inputs.d}}\ninputs:\n  d: {type: uri_folder, path: azureml:nope:1}\n');
    expect((await cli(['job', 'create', '-f', join(work, 'bad.yml')])).stderr).toContain("inputs.d: data asset 'nope' version 1 not found");
    writeFileSync(join(work, 'cloud.yml'), 'command: ls ${{inputs.d}}\ninputs:\n  d: {type: uri_folder, path: "wasbs://c@acct.blob.core.windows.net/x"}\n');
    expect((await cli(['job', 'create', '-f', join(work, 'cloud.yml')])).stderr).toContain('inputs.d: no datastore holds wasbs://c@acct.blob.core.windows.net/x: create one for it');
    writeFileSync(join(work, 'adl.yml'), 'command: ls ${{inputs.d}}\ninputs:\n  d: {type: uri_file, path: "adl://store.azuredatalakestore.net/x.csv"}\n');
    expect((await cli(['job', 'create', '-f', join(work, 'adl.yml')])).stderr).toContain("inputs.d: 'adl://store.azuredatalakestore.net/x.csv' is a cloud URI Lathe cannot read directly; create a datastore");
    expect((await cli(['data', 'create', '--name', 'w', '--path', 'ftp://example.com/x.csv'])).stderr).toContain("data path 'ftp://example.com/x.csv' is not supported here");
  });
});
