import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Datastore, DataVersion, Run } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, type LatheProcess } from './support/lathe-process.js';

const CSV = 'id,city,temp\n1,Oslo,-3.5\n2,Lima,19\n3,Oslo,\n';

/** A small typed table: integers, doubles with a null, strings, booleans, dates. */
function parquetTable(ids: number[]): Buffer {
  return Buffer.from(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ids.map(BigInt), type: 'INT64' },
      { name: 'temp', data: ids.map((i) => (i === 2 ? null : i * 1.5)), type: 'DOUBLE' },
      { name: 'city', data: ids.map((i) => (i % 2 ? 'Oslo' : 'Lima')), type: 'STRING' },
      { name: 'rainy', data: ids.map((i) => i % 2 === 0), type: 'BOOLEAN' },
      { name: 'day', data: ids.map((i) => new Date(Date.UTC(2024, 0, i))), type: 'TIMESTAMP' },
    ],
  }));
}

describe('data sources: Parquet tables, http(s) files, ro_mount links to a local datastore', () => {
  let lathe: LatheProcess;
  let work: string;
  let web: Server;
  let base: string;
  const served: Record<string, { body: Buffer; etag?: string }> = {};
  const cli = (args: string[]) => runCli(lathe.home, args);
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`lathe ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const yml = (name: string, text: string) => {
    const p = join(work, name);
    writeFileSync(p, text);
    return p;
  };
  const jobName = (stderr: string) => /Submitted job (\S+)/.exec(stderr)![1]!;

  beforeAll(async () => {
    lathe = await startLathe();
    work = tempDir('lathe-data-src-');
    served['/files/weather.csv'] = { body: Buffer.from(CSV), etag: '"w1"' };
    served['/files/no-etag.csv'] = { body: Buffer.from('a,b\n1,x\n') };
    served['/files/table.parquet'] = { body: parquetTable([1, 2, 3, 4]), etag: '"p1"' };
    // A public file server: GET and HEAD, with or without an ETag; everything else is 404.
    web = createServer((req, res) => {
      if (req.url === '/files/stalls.csv') {
        // Headers and half the body, then nothing: a server stuck mid-transfer.
        res.writeHead(200, { 'content-length': 1000 });
        if (req.method === 'GET') res.write('a,b\n1,x\n');
        else res.end();
        return;
      }
      const f = served[req.url ?? ''];
      if (!f) {
        res.writeHead(404).end('no such file');
        return;
      }
      res.writeHead(200, { 'content-length': f.body.length, ...(f.etag ? { etag: f.etag } : {}) });
      res.end(req.method === 'HEAD' ? undefined : f.body);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    web?.close();
    await lathe?.stop();
    cleanup(lathe.home);
    cleanup(work);
  });

  describe('Parquet', () => {
    it('profiles a .parquet uri_file at creation: types, nulls, min/max, mean, top values, in JSON and in the table output', async () => {
      writeFileSync(join(work, 'table.parquet'), parquetTable([1, 2, 3, 4, 5]));
      const v = await json<DataVersion>(['data', 'create', '--name', 'pq', '--type', 'uri_file', '--path', join(work, 'table.parquet')]);
      expect(v.table).toMatchObject({ format: 'parquet', files: ['table.parquet'], row_count: 5 });
      expect(v.table!.columns.map((c) => [c.name, c.type, c.nulls, c.min, c.max])).toEqual([
        ['id', 'integer', 0, 1, 5],
        ['temp', 'float', 1, 1.5, 7.5],
        ['city', 'string', 0, 'Lima', 'Oslo'],
        ['rainy', 'boolean', 0, 'false', 'true'],
        ['day', 'datetime', 0, '2024-01-01T00:00:00.000Z', '2024-01-05T00:00:00.000Z'],
      ]);
      expect(v.table!.columns[0]!.mean).toBe(3);
      expect(v.table!.columns[2]!.top_values[0]).toEqual({ value: 'Oslo', count: 3 });
      const shown = (await json<DataVersion>(['data', 'show', '-n', 'azureml:pq:1'])).table;
      expect(shown).toEqual(v.table);
      const text = (await cli(['data', 'show', '-n', 'pq', '-v', '1'])).stdout;
      expect(text).toContain('Table: 5 rows, 5 columns (table.parquet)');
      expect(text).toMatch(/temp\s+float\s+1\s+1\.5\s+7\.5\s+4\.875/);
      expect(text).toMatch(/day\s+datetime\s+0\s+2024-01-01T00:00:00\.000Z/);
    });

    it('profiles an MLTable folder of Parquet files (read_parquet, a pattern), skipping Spark markers', async () => {
      const dir = join(work, 'pq-table');
      mkdirSync(join(dir, 'parts'), { recursive: true });
      writeFileSync(join(dir, 'parts', 'part-0.parquet'), parquetTable([1, 2]));
      writeFileSync(join(dir, 'parts', 'part-1.parquet'), parquetTable([3]));
      writeFileSync(join(dir, 'parts', '_SUCCESS'), '');
      writeFileSync(join(dir, 'MLTable'), 'paths:\n  - pattern: ./parts/*\ntransformations:\n  - read_parquet:\n      include_path_column: false\n');
      const v = await json<DataVersion>(['data', 'create', '-f', yml('pq-table.yml', `name: pq-table\ntype: mltable\npath: ${dir}\n`)]);
      expect(v.table).toMatchObject({ format: 'parquet', files: ['parts/part-0.parquet', 'parts/part-1.parquet'], row_count: 3 });
      expect(v.table!.columns.find((c) => c.name === 'temp')).toMatchObject({ type: 'float', nulls: 1, min: 1.5, max: 4.5, mean: 3 });
      // A file that is not Parquet is named, and nothing is registered.
      writeFileSync(join(dir, 'parts', 'part-2.parquet'), 'not,parquet\n');
      const bad = await cli(['data', 'create', '-f', join(work, 'pq-table.yml')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('parts/part-2.parquet is not a readable Parquet file');
    });

    it('runs examples/data/data-parquet.yml: the iris MLTable as Parquet', async () => {
      const v = await json<DataVersion>(['data', 'create', '-f', 'examples/data/data-parquet.yml']);
      expect(v).toMatchObject({ name: 'iris-parquet', type: 'mltable', table: { format: 'parquet', row_count: 10, files: ['iris.parquet'] } });
      expect(v.table!.columns.find((c) => c.name === 'sepal_width')).toMatchObject({ type: 'float', nulls: 1 });
      expect(v.table!.columns.find((c) => c.name === 'species')).toMatchObject({ type: 'string', distinct_estimate: 3 });
    });
  });

  describe('http(s) paths', () => {
    it('registers a public CSV by URL: size, ETag, profile; a server without ETags gets a sha256', async () => {
      const v = await json<DataVersion>(['data', 'create', '--name', 'web', '--type', 'uri_file', '--path', `${base}/files/weather.csv`]);
      expect(v).toMatchObject({ datastore: base, path: `${base}/files/weather.csv`, file_count: 1, total_bytes: CSV.length, files: [{ path: 'weather.csv', size: CSV.length, etag: '"w1"' }] });
      expect(v.table).toMatchObject({ format: 'csv', row_count: 3 });
      expect(v.table!.columns.map((c) => [c.name, c.type, c.nulls])).toEqual([['id', 'integer', 0], ['city', 'string', 0], ['temp', 'float', 1]]);
      const y = await json<DataVersion>(['data', 'create', '-f', yml('web.yml', `name: web-plain\ntype: uri_file\npath: ${base}/files/no-etag.csv\n`)]);
      expect(y.files[0]).toMatchObject({ path: 'no-etag.csv', size: 8, sha256: createHash('sha256').update('a,b\n1,x\n').digest('hex') });
      const pq = await json<DataVersion>(['data', 'create', '--name', 'web-pq', '--type', 'uri_file', '--path', `${base}/files/table.parquet`]);
      expect(pq.table).toMatchObject({ format: 'parquet', row_count: 4 });
      expect((await cli(['data', 'show', '-n', 'web', '-v', '1'])).stdout).toContain('unchanged since registration');
      expect((await cli(['data', 'download', '-n', 'azureml:web:1', '-p', join(work, 'dl')])).code).toBe(0);
      expect(readFileSync(join(work, 'dl', 'web', 'weather.csv'), 'utf8')).toBe(CSV);
      served['/files/weather.csv'] = { body: Buffer.from(`${CSV}4,Rome,22\n`), etag: '"w2"' };
      expect((await json<{ check: { changed: boolean; modified: string[] } }>(['data', 'show', '-n', 'web', '-v', '1'])).check).toMatchObject({ changed: true, modified: ['weather.csv'] });
      served['/files/weather.csv'] = { body: Buffer.from(CSV), etag: '"w1"' };
    });

    it('jobs read a URL (and a data asset of one) as a downloaded input', async () => {
      const job = yml('web-job.yml', [
        'command: cat ${{inputs.direct}} && cat ${{inputs.asset}}',
        'inputs:',
        `  direct: {type: uri_file, path: "${base}/files/no-etag.csv", mode: download}`,
        '  asset: {type: uri_file, path: "azureml:web:1", mode: download}',
        '',
      ].join('\n'));
      const res = await cli(['job', 'create', '-f', job, '--stream']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('1,x');
      expect(res.stdout).toContain('2,Lima,19');
    });

    it('fails within seconds naming the URL and the status: 404, unreachable host; folders are refused', async () => {
      let t = Date.now();
      let r = await cli(['data', 'create', '--name', 'gone', '--type', 'uri_file', '--path', `${base}/files/missing.csv`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`HEAD ${base}/files/missing.csv: HTTP 404 Not Found`);
      expect(Date.now() - t).toBeLessThan(10_000);
      // A port nothing listens on (fetch refuses low ports such as 1 outright).
      const probe = createNetServer();
      const closed = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
      await new Promise((r) => probe.close(r));
      t = Date.now();
      r = await cli(['data', 'create', '--name', 'gone', '--type', 'uri_file', '--path', `http://127.0.0.1:${closed}/x.csv`]);
      expect(r.stderr).toContain(`HEAD http://127.0.0.1:${closed}/x.csv: unreachable (ECONNREFUSED)`);
      expect(Date.now() - t).toBeLessThan(10_000);
      // A host that accepts the connection and never answers: the request times out.
      const silent = createNetServer(() => undefined);
      const port = await new Promise<number>((r) => silent.listen(0, '127.0.0.1', () => r((silent.address() as { port: number }).port)));
      t = Date.now();
      r = await cli(['data', 'create', '--name', 'gone', '--type', 'uri_file', '--path', `http://127.0.0.1:${port}/x.csv`]);
      silent.close();
      expect(r.stderr).toContain(`HEAD http://127.0.0.1:${port}/x.csv: no answer within 6 s`);
      expect(Date.now() - t).toBeLessThan(15_000);
      // Headers in time, then a body that stops coming: the read fails too, naming the URL.
      t = Date.now();
      r = await cli(['data', 'create', '--name', 'gone', '--type', 'uri_file', '--path', `${base}/files/stalls.csv`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`GET ${base}/files/stalls.csv: the body stalled (no bytes for 6 s)`);
      expect(Date.now() - t).toBeLessThan(15_000);
      r = await cli(['data', 'create', '--name', 'gone', '--type', 'uri_folder', '--path', `${base}/files/`]);
      expect(r.stderr).toContain('an http(s) URL is one file, so it can only be a uri_file (folders over http(s) are not supported');
      const job = yml('web-bad.yml', `command: ls \${{inputs.d}}\ninputs:\n  d: {type: uri_file, path: "${base}/files/missing.csv"}\n`);
      r = await cli(['job', 'create', '-f', job]);
      expect(r.stderr).toContain(`inputs.d: HEAD ${base}/files/missing.csv: HTTP 404 Not Found`);
      expect((await cli(['data', 'create', '--name', 'sas', '--type', 'uri_file', '--path', `${base}/files/weather.csv?sig=secret`])).stderr).toContain('a URL with a query string is not supported');
    });
  });

  describe('ro_mount of a local datastore', () => {
    let root: string;
    beforeAll(async () => {
      root = join(work, 'shared');
      mkdirSync(join(root, 'table', 'parts'), { recursive: true });
      writeFileSync(join(root, 'table', 'MLTable'), 'paths:\n  - pattern: ./parts/*.csv\n');
      writeFileSync(join(root, 'table', 'parts', 'a.csv'), 'x,y\n1,a\n');
      writeFileSync(join(root, 'table', 'parts', 'b.csv'), 'x,y\n2,b\n');
      mkdirSync(join(root, 'escape'));
      writeFileSync(join(root, 'escape', 'ok.txt'), 'ok');
      symlinkSync(join(work, 'outside'), join(root, 'escape', 'evil'));
      mkdirSync(join(work, 'outside'));
      writeFileSync(join(work, 'outside', 'secret.txt'), 'not in the datastore');
      expect((await json<Datastore>(['datastore', 'create', '-f', yml('shared.yml', `name: shared\ntype: local\npath: ${root}\n`)])).type).toBe('local');
      await json<DataVersion>(['data', 'create', '--name', 'tab', '--type', 'mltable', '--path', 'azureml://datastores/shared/paths/table']);
    });

    it('links the files in place (symlinks, not copies) and says so in the log; writes stay in the run folder', async () => {
      const job = yml('link-job.yml', [
        'command: >-',
        '  test -L ${{inputs.t}}/parts/a.csv && echo "a.csv is a link to $(readlink ${{inputs.t}}/parts/a.csv)" &&',
        '  test -L ${{inputs.f}} && cat ${{inputs.f}} &&',
        '  echo new > ${{inputs.t}}/new.txt && rm ${{inputs.t}}/parts/b.csv && echo wrote',
        'inputs:',
        '  t: {type: mltable, path: azureml:tab:1, mode: ro_mount}',
        '  f: {type: uri_file, path: azureml://datastores/shared/paths/table/parts/b.csv, mode: ro_mount}',
        '',
      ].join('\n'));
      const res = await cli(['job', 'create', '-f', job, '--stream']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`a.csv is a link to ${join(root, 'table', 'parts', 'a.csv')}`);
      expect(res.stdout).toContain('2,b');
      expect(res.stdout).toContain('wrote');
      const text = await (await lathe.client.download('readLog', { params: { run: jobName(res.stderr) } })).text();
      expect(text).toContain("input t: azureml:tab:1 (ro_mount) -> ");
      expect(text).toContain("linked from local datastore 'shared', not copied (3 file(s))");
      expect(text).toContain("input f: azureml://datastores/shared/paths/table/parts/b.csv (ro_mount)");
      // The originals are untouched: the new file and the removal happened in the run's folder.
      expect(readdirSync(join(root, 'table')).sort()).toEqual(['MLTable', 'parts']);
      expect(readFileSync(join(root, 'table', 'parts', 'b.csv'), 'utf8')).toBe('x,y\n2,b\n');
      // Lineage is kept for a linked data asset as for a copied one.
      expect((await json<Array<{ name: string; direction: string }>>(['data', 'list', '--job', jobName(res.stderr)])).map((l) => [l.direction, l.name])).toEqual([['input', 'tab']]);
    });

    it('download mode still copies', async () => {
      const job = yml('copy-job.yml', 'command: test -L ${{inputs.t}}/parts/a.csv && echo LINKED || cat ${{inputs.t}}/parts/a.csv\ninputs:\n  t: {type: mltable, path: azureml:tab:1, mode: download}\n');
      const res = await cli(['job', 'create', '-f', job, '--stream']);
      expect(res.code).toBe(0);
      expect(res.stdout).not.toMatch(/^LINKED$/m);
      expect(res.stdout).toContain('1,a');
    });

    it('a symlink inside the datastore that leads outside it is refused: the job fails, naming it', async () => {
      const job = yml('escape-job.yml', 'command: ls -R ${{inputs.e}}\ninputs:\n  e: {type: uri_folder, path: azureml://datastores/shared/paths/escape/, mode: ro_mount}\n');
      const res = await cli(['job', 'create', '-f', job, '--stream']);
      expect(res.code).toBe(3);
      const run = await json<Run>(['job', 'show', '-n', jobName(res.stderr)]);
      expect(run.status_reason).toContain(`${join(root, 'escape', 'evil')} leads outside the datastore folder ${root}`);
      expect(existsSync(join(work, 'outside', 'secret.txt'))).toBe(true);
    });

    it('a linked input cannot be submitted by a client', async () => {
      const err = await lathe.client.call('submitJob', {
        body: { experiment_name: 'x', command: 'cat ${{inputs.p}}', inputs: { p: { kind: 'linked', type: 'uri_file', mode: 'ro_mount', root: '/etc', path: 'passwd', file_name: 'passwd', datastore: 'x', source: 'x' } } } as never,
      }).then(() => null, (e: Error) => e);
      expect(err?.message).toContain('inputs.p: linked inputs are made by the server at submit');
    });
  });
});
