import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Datastore, DataVersion } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, type LatheProcess } from './support/lathe-process.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, S3RVER_KEY_ID, S3RVER_SECRET, startAzurite, startS3rver, type Emulator } from './support/storage-emulators.js';

const CSV = 'id,city,temp\n1,Oslo,-3.5\n2,Lima,19\n3,Oslo,\n';

describe('datastores on Azurite, s3rver and a local folder', () => {
  let lathe: LatheProcess;
  let azurite: Emulator;
  let s3: Emulator;
  let work: string;
  let silent: Server;
  let silentPort: number;
  const cli = (args: string[]) => runCli(lathe.home, args);
  const yml = (name: string, text: string) => {
    const p = join(work, name);
    writeFileSync(p, text);
    return p;
  };
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`lathe ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    [lathe, azurite, s3] = await Promise.all([startLathe(), startAzurite(), startS3rver(['lathe-data'])]);
    work = tempDir('lathe-ds-');
    // An endpoint that accepts connections and never answers: a check must not hang on it.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    const container = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient('training');
    await container.create();
    await container.getBlockBlobClient('tables/weather.csv').upload(CSV, CSV.length);
    await container.getBlockBlobClient('tables/readme.txt').upload('hi', 2);
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3RVER_KEY_ID, secretAccessKey: S3RVER_SECRET } });
    await client.send(new PutObjectCommand({ Bucket: 'lathe-data', Key: 'raw/part-0.csv', Body: CSV }));
    await client.send(new PutObjectCommand({ Bucket: 'lathe-data', Key: 'raw/part-1.csv', Body: 'id,city,temp\n4,Rome,22.5\n' }));
    for (const [name, value] of [['AZ_KEY', AZURITE_KEY], ['AZ_WRONG', Buffer.from('x'.repeat(64)).toString('base64')], ['S3_ID', S3RVER_KEY_ID], ['S3_SECRET', S3RVER_SECRET]] as const) {
      await lathe.client.call('setSecret', { params: { name }, body: { value } });
    }
  });
  afterAll(async () => {
    silent?.close();
    await Promise.all([lathe?.stop(), azurite?.stop(), s3?.stop()]);
    cleanup(lathe.home);
    cleanup(work);
  });

  it('creates an azure_blob datastore with a secret-reference key; show and list mask credentials', async () => {
    const file = yml('azure.yml', `$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
name: training_blob
type: azure_blob
description: Training data on Azurite
account_name: ${AZURITE_ACCOUNT}
container_name: training
endpoint: ${azurite.endpoint}
credentials:
  account_key: \${{secrets.AZ_KEY}}
`);
    const d = await json<Datastore>(['datastore', 'create', '-f', file]);
    expect(d).toMatchObject({ name: 'training_blob', type: 'azure_blob', settings: { credentials: { account_key: '${{secrets.AZ_KEY}}' } } });
    const shown = (await cli(['datastore', 'show', '-n', 'training_blob'])).stdout;
    expect(shown).toContain('credentials.account_key:  ${{secrets.AZ_KEY}} (value hidden)');
    expect(shown).not.toContain(AZURITE_KEY);
    const list = await json<Datastore[]>(['datastore', 'list']);
    expect(list.map((x) => x.name)).toEqual(['workspaceblobstore', 'training_blob']);
    expect(JSON.stringify(list)).not.toContain(AZURITE_KEY);
  });

  it('registers a CSV on Azure Blob with its ETag and a table profile, and downloads it', async () => {
    const v = await json<DataVersion>(['data', 'create', '--name', 'weather', '--type', 'uri_file', '--path', 'azureml://datastores/training_blob/paths/tables/weather.csv']);
    expect(v).toMatchObject({ version: 1, datastore: 'training_blob', file_count: 1, total_bytes: CSV.length });
    expect(v.files[0]!.etag).toBeTruthy();
    expect(v.table).toMatchObject({ row_count: 3 });
    expect(v.table!.columns.map((c) => [c.name, c.type, c.nulls])).toEqual([['id', 'integer', 0], ['city', 'string', 0], ['temp', 'float', 1]]);
    expect(v.table!.columns[1]!.top_values[0]).toEqual({ value: 'Oslo', count: 2 });
    // The same blob by its wasbs:// URI: found through the datastore that holds it.
    const byUri = await json<DataVersion>(['data', 'create', '--name', 'weather', '--type', 'uri_file', '--path', `wasbs://training@${AZURITE_ACCOUNT}.blob.core.windows.net/tables/weather.csv`]);
    expect(byUri).toMatchObject({ version: 2, path: v.path, files: v.files });
    const dest = join(work, 'dl');
    expect((await cli(['data', 'download', '-n', 'azureml:weather@latest', '-p', dest])).code).toBe(0);
    expect(readFileSync(join(dest, 'weather', 'weather.csv'), 'utf8')).toBe(CSV);
  });

  it('fails fast with the datastore and the operation named: wrong key, unreachable endpoint, endpoint that never answers, missing secret', async () => {
    const base = (name: string, endpoint: string, key: string) => yml(`${name}.yml`, `name: ${name}\ntype: azure_blob\naccount_name: ${AZURITE_ACCOUNT}\ncontainer_name: training\nendpoint: ${endpoint}\ncredentials:\n  account_key: \${{secrets.${key}}}\n`);
    // Timed at the API (a CLI start on a loaded 2-core machine can take seconds by itself).
    const timed = async (file: string) => {
      const t = Date.now();
      const err = await lathe.client.call('createDatastore', { body: parseYaml(readFileSync(file, 'utf8')) as never }).then(() => null, (e: Error) => e);
      return { message: `${err?.message} [${(err as { code?: string } | null)?.code}]`, ms: Date.now() - t };
    };
    let t = await timed(base('wrongkey', azurite.endpoint, 'AZ_WRONG'));
    expect(t.message).toMatch(/datastore 'wrongkey': connection check \(list\) failed: .*refused the credentials \(HTTP 403.*\[PERMISSION_DENIED\]/);
    expect(t.ms).toBeLessThan(5000);
    t = await timed(base('nowhere', 'http://127.0.0.1:1/devstoreaccount1', 'AZ_KEY'));
    expect(t.message).toMatch(/datastore 'nowhere': connection check \(list\) failed: .*unreachable.*ECONNREFUSED.*\[UNAVAILABLE\]/);
    expect(t.ms).toBeLessThan(5000);
    t = await timed(base('silent', `http://127.0.0.1:${silentPort}/devstoreaccount1`, 'AZ_KEY'));
    expect(t.message).toMatch(/datastore 'silent'.*no answer within \d+ s.*\[UNAVAILABLE\]/);
    expect(t.ms).toBeLessThan(10_000);
    // The CLI says the same, on one line.
    let r = await cli(['datastore', 'create', '-f', base('wrongkey', azurite.endpoint, 'AZ_WRONG')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: datastore 'wrongkey': connection check \(list\) failed: .*\[PERMISSION_DENIED\]\n$/);
    r = await cli(['datastore', 'create', '-f', base('nokey', azurite.endpoint, 'MISSING')]);
    expect(r.stderr).toContain("datastore 'nokey' uses secret 'MISSING', which does not exist (create it with: lathe secret set MISSING)");
    const plain = yml('plain.yml', 'name: plain\ntype: azure_blob\naccount_name: a\ncontainer_name: c\ncredentials:\n  account_key: not-a-reference\n');
    r = await cli(['datastore', 'create', '-f', plain]);
    expect(r.stderr).toContain('plain.yml:6:16: credentials.account_key');
    expect((await json<Datastore[]>(['datastore', 'list'])).map((x) => x.name)).toEqual(['workspaceblobstore', 'training_blob']);
  });

  it('reads an S3 bucket: a folder of CSVs as an MLTable-less uri_folder, and a job input copied from it', async () => {
    const file = yml('s3.yml', `name: lake\ntype: s3\nbucket: lathe-data\nendpoint: ${s3.endpoint}\nregion: us-east-1\ncredentials:\n  access_key_id: \${{secrets.S3_ID}}\n  secret_access_key: \${{secrets.S3_SECRET}}\n`);
    expect((await json<Datastore>(['datastore', 'create', '-f', file])).type).toBe('s3');
    const v = await json<DataVersion>(['data', 'create', '--name', 'raw', '--path', 'azureml://datastores/lake/paths/raw/']);
    expect(v.files.map((f) => f.path)).toEqual(['part-0.csv', 'part-1.csv']);
    const job = yml('s3-job.yml', 'command: cat ${{inputs.raw}}/part-1.csv && ls ${{inputs.raw}} && cat ${{inputs.direct}}\ninputs:\n  raw: {type: uri_folder, path: azureml:raw:1, mode: download}\n  direct: {type: uri_file, path: "s3://lathe-data/raw/part-0.csv"}\n');
    const res = await cli(['job', 'create', '-f', job, '--stream']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('4,Rome,22.5');
    expect(res.stdout).toContain('part-0.csv');
    expect(res.stdout).toContain('2,Lima,19');
  });

  it('a local datastore: an MLTable folder is profiled; a changed file is detected and refused as a job input; paths cannot escape', async () => {
    const root = join(work, 'local-store');
    mkdirSync(join(root, 'table', 'parts'), { recursive: true });
    writeFileSync(join(root, 'table', 'MLTable'), 'paths:\n  - pattern: ./parts/*.csv\ntransformations:\n  - read_delimited:\n      delimiter: ","\n      header: all_files_same_headers\n');
    writeFileSync(join(root, 'table', 'parts', 'a.csv'), 'x,y\n1,a\n2,b\n');
    writeFileSync(join(root, 'table', 'parts', 'b.csv'), 'x,y\n3,a\n');
    const file = yml('local.yml', `name: shared_folder\ntype: local\npath: ${root}\n`);
    expect((await json<Datastore>(['datastore', 'create', '-f', file])).type).toBe('local');
    const v = await json<DataVersion>(['data', 'create', '--name', 'tab', '--type', 'mltable', '--path', 'azureml://datastores/shared_folder/paths/table']);
    expect(v.table).toMatchObject({ row_count: 3, files: ['parts/a.csv', 'parts/b.csv'] });
    expect(v.table!.columns[0]).toMatchObject({ name: 'x', type: 'integer', min: 1, max: 3, mean: 2 });
    const shown = (await cli(['data', 'show', '-n', 'tab', '-v', '1'])).stdout;
    expect(shown).toContain('Table: 3 rows, 2 columns');
    expect(shown).toContain('unchanged since registration');

    const job = yml('tab-job.yml', 'command: cat ${{inputs.t}}/parts/b.csv\ninputs:\n  t: {type: mltable, path: azureml:tab:1, mode: ro_mount}\n');
    expect((await cli(['job', 'create', '-f', job, '--stream'])).stdout).toContain('3,a');
    writeFileSync(join(root, 'table', 'parts', 'b.csv'), 'x,y\n3,a\n4,changed\n');
    const check = await json<{ check: { changed: boolean; modified: string[] } }>(['data', 'show', '-n', 'tab', '-v', '1']);
    expect(check.check).toMatchObject({ changed: true, modified: ['parts/b.csv'] });
    const refused = await cli(['job', 'create', '-f', job]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('inputs.t: the files of data asset azureml:tab:1 changed since it was registered (modified parts/b.csv); register a new version');

    const escape = await cli(['data', 'create', '--name', 'bad', '--path', 'azureml://datastores/shared_folder/paths/../../etc/passwd', '--type', 'uri_file']);
    expect(escape.stderr).toContain('is not a safe datastore path');
    const missing = await cli(['data', 'create', '--name', 'bad', '--path', 'azureml://datastores/shared_folder/paths/nope/']);
    expect(missing.stderr).toContain('azureml://datastores/shared_folder/paths/nope/ does not exist or holds no files');
    const relative = await cli(['datastore', 'create', '-f', yml('rel.yml', 'name: rel\ntype: local\npath: some/where\n')]);
    expect(relative.stderr).toContain("datastore 'rel': path must be an absolute folder on the server host");
    const absent = await cli(['datastore', 'create', '-f', yml('absent.yml', `name: absent\ntype: local\npath: ${join(work, 'no-such-folder')}\n`)]);
    expect(absent.stderr).toContain(`datastore 'absent': ${join(work, 'no-such-folder')} is not a folder on the server host`);
  });

  it('hashes are sha256 for uploaded files and stay stable across versions', async () => {
    const f = join(work, 'blob.bin');
    const bytes = randomBytes(5000);
    writeFileSync(f, bytes);
    const v1 = await json<DataVersion>(['data', 'create', '--name', 'bin', '--type', 'uri_file', '--path', f]);
    const v2 = await json<DataVersion>(['data', 'create', '--name', 'bin', '--type', 'uri_file', '--path', f]);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.files[0]!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(v2.path).toBe(v1.path);
  });
});
