/**
 * MLflow's tracking and registry REST API 2.0, route by route, with the error cases of
 * MLflow's reference (error_code and HTTP status).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startLathe, type LatheProcess } from './support/lathe-process.js';
import { mlflowApi } from './support/mlflow-http.js';
import { useLathe } from './support/use-lathe.js';

type Api = ReturnType<typeof mlflowApi>;
type Obj = Record<string, any>;

describe('MLflow tracking API', () => {
  let lathe: LatheProcess;
  let api: Api;
  beforeAll(async () => {
    lathe = await startLathe();
    api = mlflowApi(lathe.url, lathe.token);
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  const newRun = async (experiment_id = '0', extra: Obj = {}) => ((await api('POST', 'runs/create', { experiment_id, start_time: Date.now(), ...extra })).body as Obj).run.info.run_id as string;

  it('needs a token, in MLflow\'s error shape', async () => {
    const res = await fetch(`${lathe.url}/api/2.0/mlflow/experiments/search`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    // Basic auth with the token as password works too (MLFLOW_TRACKING_USERNAME/PASSWORD)
    const basic = await fetch(`${lathe.url}/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: { authorization: `Basic ${Buffer.from(`admin:${lathe.token}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  it('experiments: create, get, get-by-name, update, tags, delete, restore, search', async () => {
    const created = await api('POST', 'experiments/create', { name: 'exp-a', tags: [{ key: 'team', value: 'vision' }] });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect(id).toMatch(/^\d+$/);
    expect(await api('POST', 'experiments/create', { name: 'exp-a' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await api('POST', 'experiments/create', { name: '' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await api('POST', 'experiments/create', {})).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") } });

    const got = (await api('GET', 'experiments/get', { experiment_id: id })).body.experiment as Obj;
    expect(got).toMatchObject({ experiment_id: id, name: 'exp-a', lifecycle_stage: 'active', tags: [{ key: 'team', value: 'vision' }] });
    expect(got.artifact_location).toBe(`mlflow-artifacts:/${id}`);
    expect((await api('GET', 'experiments/get-by-name', { experiment_name: 'exp-a' })).body.experiment).toMatchObject({ experiment_id: id });
    expect(await api('GET', 'experiments/get-by-name', { experiment_name: 'nope' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await api('GET', 'experiments/get', { experiment_id: '987654' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await api('GET', 'experiments/get', { experiment_id: '0' })).body.experiment).toMatchObject({ experiment_id: '0', name: 'Default' });

    expect((await api('POST', 'experiments/update', { experiment_id: id, new_name: 'exp-b' })).status).toBe(200);
    expect((await api('POST', 'experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'dev' })).status).toBe(200);
    await api('POST', 'experiments/create', { name: 'exp-c' });
    const search = (await api('POST', 'experiments/search', { filter: "name LIKE 'exp-%' and tags.stage = 'dev'" })).body.experiments as Obj[];
    expect(search.map((e) => e.name)).toEqual(['exp-b']);
    const ordered = (await api('POST', 'experiments/search', { filter: "name LIKE 'exp-%'", order_by: ['name DESC'] })).body.experiments as Obj[];
    expect(ordered.map((e) => e.name)).toEqual(['exp-c', 'exp-b']);
    const page1 = await api('POST', 'experiments/search', { max_results: 1, order_by: ['name ASC'] });
    expect(page1.body.next_page_token).toBeTruthy();
    const page2 = await api('POST', 'experiments/search', { max_results: 1, order_by: ['name ASC'], page_token: page1.body.next_page_token });
    expect((page2.body.experiments as Obj[])[0]!.name).not.toBe((page1.body.experiments as Obj[])[0]!.name);
    expect(await api('POST', 'experiments/search', { page_token: 'forged' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });

    expect((await api('POST', 'experiments/delete', { experiment_id: id })).status).toBe(200);
    expect((await api('GET', 'experiments/get', { experiment_id: id })).body.experiment).toMatchObject({ lifecycle_stage: 'deleted' });
    expect(((await api('POST', 'experiments/search', { view_type: 'DELETED_ONLY' })).body.experiments as Obj[]).map((e) => e.name)).toEqual(['exp-b']);
    expect(await api('POST', 'runs/create', { experiment_id: id })).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    expect((await api('POST', 'experiments/restore', { experiment_id: id })).status).toBe(200);
    expect((await api('GET', 'experiments/get', { experiment_id: id })).body.experiment).toMatchObject({ lifecycle_stage: 'active' });
  });

  it('runs: create, get, update, log-metric, log-parameter, set-tag, delete-tag, delete, restore', async () => {
    const runId = await newRun('0', { run_name: 'first', tags: [{ key: 'k', value: 'v' }] });
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect((await api('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: 0.9, timestamp: 1000, step: 1 })).status).toBe(200);
    expect((await api('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: 'NaN', timestamp: 1001, step: 2 })).status).toBe(200);
    expect((await api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
    expect((await api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
    expect(await api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.2' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('Changing param values is not allowed') } });
    expect((await api('POST', 'runs/set-tag', { run_id: runId, key: 't', value: 'one' })).status).toBe(200);
    expect((await api('POST', 'runs/set-tag', { run_id: runId, key: 't', value: 'two' })).status).toBe(200);
    expect((await api('POST', 'runs/set-tag', { run_id: runId, key: 'gone', value: 'x' })).status).toBe(200);
    expect((await api('POST', 'runs/delete-tag', { run_id: runId, key: 'gone' })).status).toBe(200);
    expect(await api('POST', 'runs/delete-tag', { run_id: runId, key: 'gone' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await api('POST', 'runs/log-metric', { run_id: runId, key: 'bad', value: 'high', timestamp: 1 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await api('POST', 'runs/log-metric', { run_id: runId, key: '../x', value: 1, timestamp: 1 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('Invalid metric name') } });
    expect(await api('POST', 'runs/log-metric', { run_id: 'missing', key: 'a', value: 1, timestamp: 1 })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=missing not found' } });

    const run = (await api('GET', 'runs/get', { run_id: runId })).body.run as Obj;
    expect(run.info).toMatchObject({ run_id: runId, run_uuid: runId, run_name: 'first', experiment_id: '0', status: 'RUNNING', lifecycle_stage: 'active' });
    expect(run.data.metrics).toEqual([{ key: 'acc', value: 'NaN', timestamp: 1001, step: 2 }]);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 't', value: 'two' }, { key: 'k', value: 'v' }, { key: 'mlflow.runName', value: 'first' }]));
    expect(run.data.tags.find((t: Obj) => t.key === 'gone')).toBeUndefined();

    const updated = (await api('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 5000, run_name: 'renamed' })).body.run_info as Obj;
    expect(updated).toMatchObject({ status: 'FINISHED', end_time: 5000, run_name: 'renamed' });
    // the same run through Lathe's own API and CLI
    const lathe_run = await lathe.client.call('getRun', { params: { run: runId } });
    expect(lathe_run).toMatchObject({ status: 'Completed', display_name: 'renamed', params: { lr: '0.1' } });

    expect((await api('POST', 'runs/delete', { run_id: runId })).status).toBe(200);
    expect(((await api('GET', 'runs/get', { run_id: runId })).body.run as Obj).info.lifecycle_stage).toBe('deleted');
    expect(await api('POST', 'runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: 1 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    expect((await api('POST', 'runs/restore', { run_id: runId })).status).toBe(200);
  });

  it('log-batch: limits, immutable params, last tag wins, atomic', async () => {
    const runId = await newRun();
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    expect((await api('POST', 'runs/log-batch', { run_id: runId, metrics })).status).toBe(200);
    const tooMany = await api('POST', 'runs/log-batch', { run_id: runId, metrics: [...metrics, { key: 'm', value: 1, timestamp: 1, step: 1 }] });
    expect(tooMany).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('at most 1000 metrics. Got 1001 metrics') } });
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'x' }));
    expect(await api('POST', 'runs/log-batch', { run_id: runId, params })).toMatchObject({ status: 400, body: { message: expect.stringContaining('at most 100 params') } });
    const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'x' }));
    expect(await api('POST', 'runs/log-batch', { run_id: runId, tags })).toMatchObject({ status: 400, body: { message: expect.stringContaining('at most 100 tags') } });
    const big = await api('POST', 'runs/log-batch', { run_id: runId, tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'x'.repeat(7999) })), params: Array.from({ length: 100 }, (_, i) => ({ key: `q${i}`, value: 'y'.repeat(5999) })) });
    expect(big).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('at most 1000000 bytes') } });
    expect(await api('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })).toMatchObject({ status: 400, body: { message: expect.stringContaining('Duplicate parameter keys') } });

    await api('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.1' }] });
    const conflict = await api('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'after', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.5' }], tags: [{ key: 'x', value: 'y' }] });
    expect(conflict).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const run = (await api('GET', 'runs/get', { run_id: runId })).body.run as Obj;
    // nothing of the refused batch was written
    expect(run.data.metrics.find((m: Obj) => m.key === 'after')).toBeUndefined();
    expect(run.data.tags.find((t: Obj) => t.key === 'x')).toBeUndefined();
    await api('POST', 'runs/log-batch', { run_id: runId, tags: [{ key: 'w', value: '1' }, { key: 'w', value: '2' }] });
    expect(((await api('GET', 'runs/get', { run_id: runId })).body.run as Obj).data.tags).toContainEqual({ key: 'w', value: '2' });
  });

  it('metrics/get-history pages; get-history-bulk-interval samples several runs', async () => {
    const a = await newRun();
    const b = await newRun();
    for (const id of [a, b]) {
      await api('POST', 'runs/log-batch', { run_id: id, metrics: Array.from({ length: 500 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: 10 + i, step: i })) });
    }
    const p1 = await api('GET', 'metrics/get-history', { run_id: a, metric_key: 'loss', max_results: 300 });
    expect((p1.body.metrics as Obj[]).length).toBe(300);
    const p2 = await api('GET', 'metrics/get-history', { run_id: a, metric_key: 'loss', max_results: 300, page_token: p1.body.next_page_token as string });
    expect((p2.body.metrics as Obj[]).length).toBe(200);
    expect(p2.body.next_page_token).toBeUndefined();
    const bulk = (await api('GET', 'metrics/get-history-bulk-interval', { run_ids: [a, b], metric_key: 'loss', max_results: 50, start_step: 0, end_step: 499 })).body.metrics as Obj[];
    expect(bulk.filter((m) => m.run_id === a)).toHaveLength(50);
    expect(bulk.filter((m) => m.run_id === b).at(-1)).toMatchObject({ step: 499, key: 'loss' });
    expect(await api('GET', 'metrics/get-history-bulk-interval', { run_ids: [], metric_key: 'loss' })).toMatchObject({ status: 400 });
  });

  it('runs/search: filter grammar, order_by, view types and page tokens', async () => {
    const exp = (await api('POST', 'experiments/create', { name: 'search-exp' })).body.experiment_id as string;
    for (let i = 0; i < 6; i++) {
      const id = await newRun(exp, { run_name: `trial-${i}` });
      await api('POST', 'runs/log-batch', { run_id: id, metrics: [{ key: 'rmse', value: i, timestamp: 1, step: 0 }], params: [{ key: 'depth', value: String(i % 3) }], tags: [{ key: 'team', value: i < 3 ? 'a' : 'b' }] });
      if (i === 5) await api('POST', 'runs/update', { run_id: id, status: 'FAILED', end_time: Date.now() });
    }
    const search = async (body: Obj) => (((await api('POST', 'runs/search', { experiment_ids: [exp], ...body })).body.runs as Obj[]) ?? []);
    expect((await search({ filter: 'metrics.rmse >= 3', order_by: ['metrics.rmse ASC'] })).map((r) => r.data.metrics[0].value)).toEqual([3, 4, 5]);
    expect((await search({ filter: "params.depth = '1' and tags.team = 'b'" })).map((r) => r.info.run_name)).toEqual(['trial-4']);
    expect((await search({ filter: "attributes.status = 'FAILED'" })).map((r) => r.info.run_name)).toEqual(['trial-5']);
    expect((await search({ filter: "run_name LIKE 'trial-%' and tags.team != 'a'", order_by: ['attributes.run_name DESC'] })).map((r) => r.info.run_name)).toEqual(['trial-5', 'trial-4', 'trial-3']);
    expect((await search({ filter: "attributes.run_name ILIKE 'TRIAL-0'" })).map((r) => r.info.run_name)).toEqual(['trial-0']);
    const bad = await api('POST', 'runs/search', { experiment_ids: [exp], filter: 'metrics.rmse > high' });
    expect(bad).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const p1 = await api('POST', 'runs/search', { experiment_ids: [exp], max_results: 4, order_by: ['metrics.rmse DESC'] });
    const p2 = await api('POST', 'runs/search', { experiment_ids: [exp], max_results: 4, order_by: ['metrics.rmse DESC'], page_token: p1.body.next_page_token });
    expect([...(p1.body.runs as Obj[]), ...(p2.body.runs as Obj[])].map((r) => r.data.metrics[0].value)).toEqual([5, 4, 3, 2, 1, 0]);
    const tampered = String(p1.body.next_page_token).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await api('POST', 'runs/search', { experiment_ids: [exp], max_results: 4, order_by: ['metrics.rmse DESC'], page_token: tampered })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await api('POST', 'runs/search', { experiment_ids: [exp], max_results: 50_001 })).toMatchObject({ status: 400 });
    // Lathe's own listing speaks the same grammar
    const lathe_runs = await lathe.client.call('listRuns', { query: { experiment: 'search-exp', filter: 'metrics.rmse < 2', order_by: 'metrics.rmse ASC' } });
    expect(lathe_runs.items.map((r) => r.display_name)).toEqual(['trial-0', 'trial-1']);
  });

  it('log-inputs and log-model are recorded on the run', async () => {
    const runId = await newRun();
    const dataset = { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/iris.csv"}' };
    expect((await api('POST', 'runs/log-inputs', { run_id: runId, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset }] })).status).toBe(200);
    expect((await api('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify({ artifact_path: 'model', flavors: { sklearn: {} } }) })).status).toBe(200);
    expect(await api('POST', 'runs/log-model', { run_id: runId, model_json: '{nope' })).toMatchObject({ status: 400 });
    const run = (await api('GET', 'runs/get', { run_id: runId })).body.run as Obj;
    expect(run.inputs.dataset_inputs).toEqual([{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset }]);
    expect(JSON.parse(run.data.tags.find((t: Obj) => t.key === 'mlflow.log-model.history').value)).toEqual([{ artifact_path: 'model', flavors: { sklearn: {} } }]);
  });

  it('artifacts: the proxy stores, lists, serves and deletes a run\'s files; multipart upload', async () => {
    const runId = await newRun();
    const base = `${lathe.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts`;
    const auth = { authorization: `Bearer ${lathe.token}` };
    expect((await fetch(`${base}/model/MLmodel`, { method: 'PUT', headers: auth, body: 'flavors: {}\n' })).status).toBe(200);
    expect((await fetch(`${base}/model/data/weights.bin`, { method: 'PUT', headers: auth, body: new Uint8Array([1, 2, 3]) })).status).toBe(200);
    expect((await fetch(`${base}/notes.txt`, { method: 'PUT', headers: auth, body: 'n' })).status).toBe(200);
    const listed = (await api('GET', 'artifacts/list', { run_id: runId })).body as Obj;
    expect(listed.root_uri).toBe(`mlflow-artifacts:/0/${runId}/artifacts`);
    expect(listed.files).toEqual([{ path: 'model', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 1 }]);
    expect(((await api('GET', 'artifacts/list', { run_id: runId, path: 'model' })).body as Obj).files).toEqual([{ path: 'model/MLmodel', is_dir: false, file_size: 12 }, { path: 'model/data', is_dir: true }]);
    const proxyList = await (await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`0/${runId}/artifacts/model`)}`, { headers: auth })).json();
    expect(proxyList).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: 12 }, { path: 'data', is_dir: true }] });
    expect(await (await fetch(`${base}/model/MLmodel`, { headers: auth })).text()).toBe('flavors: {}\n');
    expect((await fetch(`${base}/notes.txt`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/notes.txt`, { headers: auth })).status).toBe(404);
    const escape = await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/..%2F..%2Fetc%2Fpasswd`, { headers: auth });
    expect(escape.status).toBe(400);
    expect(await escape.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });

    // multipart: create, upload parts to the returned (signed) URLs without a token, complete
    const mpuPath = `0/${runId}/artifacts/big/blob.bin`;
    const created = await (await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/mpu/create/${mpuPath}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: 'blob.bin', num_parts: 3 }) })).json() as Obj;
    expect(created.credentials).toHaveLength(3);
    const chunks = ['aaa', 'bbbb', 'cc'];
    const parts = [];
    for (const [i, cred] of (created.credentials as Obj[]).entries()) {
      const put = await fetch(cred.url, { method: 'PUT', body: chunks[i] });
      expect(put.status).toBe(200);
      parts.push({ part_number: cred.part_number, etag: put.headers.get('etag'), url: cred.url });
    }
    const forged = await fetch(String((created.credentials as Obj[])[0]!.url).replace(/signature=.*/, 'signature=00'), { method: 'PUT', body: 'x' });
    expect(forged.status).toBe(403);
    const done = await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/mpu/complete/${mpuPath}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: 'blob.bin', upload_id: created.upload_id, parts }) });
    expect(done.status).toBe(200);
    expect(await (await fetch(`${base}/big/blob.bin`, { headers: auth })).text()).toBe('aaabbbbcc');
    const again = await (await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/mpu/create/${mpuPath}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: 'blob.bin', num_parts: 1 }) })).json() as Obj;
    expect((await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/mpu/abort/${mpuPath}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ path: 'blob.bin', upload_id: again.upload_id }) })).status).toBe(200);
    expect((await fetch(String((again.credentials as Obj[])[0]!.url), { method: 'PUT', body: 'x' })).status).toBe(404);
  });

  it('answers the same routes under /ajax-api, and unknown endpoints with ENDPOINT_NOT_FOUND', async () => {
    const res = await fetch(`${lathe.url}/ajax-api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: { authorization: `Bearer ${lathe.token}` } });
    expect(res.status).toBe(200);
    const missing = await api('GET', 'no/such/endpoint');
    expect(missing).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });
});

describe('MLflow registry API', () => {
  let lathe: LatheProcess;
  let api: Api;
  let runId: string;
  beforeAll(async () => {
    lathe = await startLathe();
    api = mlflowApi(lathe.url, lathe.token);
    runId = ((await api('POST', 'runs/create', { experiment_id: '0' })).body as Obj).run.info.run_id;
    const auth = { authorization: `Bearer ${lathe.token}` };
    const base = `${lathe.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model`;
    await fetch(`${base}/MLmodel`, { method: 'PUT', headers: auth, body: "flavors:\n  sklearn:\n    pickled_model: model.pkl\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"x\"}]'\n  outputs: '[{\"type\": \"long\"}]'\n" });
    await fetch(`${base}/model.pkl`, { method: 'PUT', headers: auth, body: 'pickle-bytes' });
  });
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  it('registered models: create, get, rename, update, tags, search, delete', async () => {
    const created = await api('POST', 'registered-models/create', { name: 'iris', description: 'flowers', tags: [{ key: 'task', value: 'classification' }] });
    expect(created.body.registered_model).toMatchObject({ name: 'iris', description: 'flowers', tags: [{ key: 'task', value: 'classification' }] });
    expect(await api('POST', 'registered-models/create', { name: 'iris' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await api('POST', 'registered-models/create', { name: '' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect((await api('PATCH', 'registered-models/update', { name: 'iris', description: 'better' })).body.registered_model).toMatchObject({ description: 'better' });
    await api('POST', 'registered-models/create', { name: 'temp' });
    expect((await api('POST', 'registered-models/rename', { name: 'temp', new_name: 'temp2' })).body.registered_model).toMatchObject({ name: 'temp2' });
    expect(await api('GET', 'registered-models/get', { name: 'temp' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await api('POST', 'registered-models/set-tag', { name: 'temp2', key: 'k', value: 'v' })).status).toBe(200);
    const byTag = (await api('GET', 'registered-models/search', { filter: "tags.k = 'v'" })).body.registered_models as Obj[];
    expect(byTag.map((m) => m.name)).toEqual(['temp2']);
    const byName = (await api('GET', 'registered-models/search', { filter: "name LIKE 'ir%'" })).body.registered_models as Obj[];
    expect(byName.map((m) => m.name)).toEqual(['iris']);
    expect((await api('DELETE', 'registered-models/delete-tag', { name: 'temp2', key: 'k' })).status).toBe(200);
    expect((await api('DELETE', 'registered-models/delete', { name: 'temp2' })).status).toBe(200);
    expect(await api('DELETE', 'registered-models/delete', { name: 'temp2' })).toMatchObject({ status: 404 });
  });

  it('model versions: create from a run, MLmodel read, stages, tags, search, download URI, delete', async () => {
    expect(await api('POST', 'model-versions/create', { name: 'unknown-model', source: `runs:/${runId}/model` })).toMatchObject({ status: 404 });
    const v1 = (await api('POST', 'model-versions/create', { name: 'iris', source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'q', value: 'good' }] })).body.model_version as Obj;
    expect(v1).toMatchObject({ name: 'iris', version: '1', current_stage: 'None', status: 'READY', run_id: runId, tags: [{ key: 'q', value: 'good' }] });
    const v2 = (await api('POST', 'model-versions/create', { name: 'iris', source: `mlflow-artifacts:/0/${runId}/artifacts/model` })).body.model_version as Obj;
    expect(v2.version).toBe('2');
    // Lathe's registry sees the same version, with the MLmodel's flavors and signature
    const lathe_v = await lathe.client.call('getModelVersion', { params: { name: 'iris', version: '1' } });
    expect(lathe_v).toMatchObject({ type: 'mlflow_model', file_count: 2, run_id: runId });
    expect(lathe_v.mlmodel?.flavors).toEqual(['sklearn']);
    expect(lathe_v.mlmodel?.signature?.inputs).toEqual([{ type: 'double', name: 'x' }]);

    expect((await api('GET', 'model-versions/get', { name: 'iris', version: '1' })).body.model_version).toMatchObject({ version: '1' });
    expect(await api('GET', 'model-versions/get', { name: 'iris', version: '9' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await api('GET', 'model-versions/get', { name: 'iris', version: 'x' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect((await api('PATCH', 'model-versions/update', { name: 'iris', version: '1', description: 'first' })).body.model_version).toMatchObject({ description: 'first' });

    expect((await api('POST', 'model-versions/transition-stage', { name: 'iris', version: '1', stage: 'Production', archive_existing_versions: false })).body.model_version).toMatchObject({ current_stage: 'Production' });
    expect((await api('POST', 'model-versions/transition-stage', { name: 'iris', version: '2', stage: 'production', archive_existing_versions: true })).body.model_version).toMatchObject({ current_stage: 'Production' });
    expect((await api('GET', 'model-versions/get', { name: 'iris', version: '1' })).body.model_version).toMatchObject({ current_stage: 'Archived' });
    expect(await api('POST', 'model-versions/transition-stage', { name: 'iris', version: '1', stage: 'Nowhere' })).toMatchObject({ status: 400 });
    const latest = (await api('POST', 'registered-models/get-latest-versions', { name: 'iris', stages: ['Production'] })).body.model_versions as Obj[];
    expect(latest.map((v) => v.version)).toEqual(['2']);

    expect((await api('POST', 'model-versions/set-tag', { name: 'iris', version: '2', key: 'env', value: 'prod' })).status).toBe(200);
    const found = (await api('GET', 'model-versions/search', { filter: "name = 'iris' and tags.env = 'prod'" })).body.model_versions as Obj[];
    expect(found.map((v) => v.version)).toEqual(['2']);
    expect(((await api('GET', 'model-versions/search', { filter: `run_id = '${runId}'` })).body.model_versions as Obj[]).length).toBe(2);
    expect((await api('DELETE', 'model-versions/delete-tag', { name: 'iris', version: '2', key: 'env' })).status).toBe(200);

    const uri = (await api('GET', 'model-versions/get-download-uri', { name: 'iris', version: '2' })).body.artifact_uri as string;
    expect(uri).toBe('mlflow-artifacts:/models/iris/2');
    const auth = { authorization: `Bearer ${lathe.token}` };
    const files = await (await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/artifacts?path=models/iris/2`, { headers: auth })).json();
    expect(files).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: expect.any(Number) }, { path: 'model.pkl', is_dir: false, file_size: 12 }] });
    expect(await (await fetch(`${lathe.url}/api/2.0/mlflow-artifacts/artifacts/models/iris/2/model.pkl`, { headers: auth })).text()).toBe('pickle-bytes');

    expect((await api('DELETE', 'model-versions/delete', { name: 'iris', version: '1' })).status).toBe(200);
    expect(await api('GET', 'model-versions/get', { name: 'iris', version: '1' })).toMatchObject({ status: 404 });
  });

  it('aliases follow MLflow\'s rules', async () => {
    await api('POST', 'registered-models/create', { name: 'aliased' });
    await api('POST', 'model-versions/create', { name: 'aliased', source: `runs:/${runId}/model` });
    await api('POST', 'model-versions/create', { name: 'aliased', source: `runs:/${runId}/model` });
    expect((await api('POST', 'registered-models/alias', { name: 'aliased', alias: 'champion', version: '1' })).status).toBe(200);
    expect((await api('GET', 'registered-models/alias', { name: 'aliased', alias: 'champion' })).body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    // moving an alias takes it off the old version
    await api('POST', 'registered-models/alias', { name: 'aliased', alias: 'champion', version: '2' });
    expect((await api('GET', 'model-versions/get', { name: 'aliased', version: '1' })).body.model_version).toMatchObject({ aliases: [] });
    expect((await api('GET', 'registered-models/get', { name: 'aliased' })).body.registered_model).toMatchObject({ aliases: [{ alias: 'champion', version: '2' }] });
    for (const alias of ['latest', 'LATEST', 'v1', 'V12', 'bad alias', '']) {
      expect(await api('POST', 'registered-models/alias', { name: 'aliased', alias, version: '1' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    }
    expect(await api('POST', 'registered-models/alias', { name: 'aliased', alias: 'x', version: '7' })).toMatchObject({ status: 404 });
    expect((await api('DELETE', 'registered-models/alias', { name: 'aliased', alias: 'champion' })).status).toBe(200);
    expect(await api('GET', 'registered-models/alias', { name: 'aliased', alias: 'champion' })).toMatchObject({ status: 404 });
    // deleting a version drops its aliases
    await api('POST', 'registered-models/alias', { name: 'aliased', alias: 'gone', version: '1' });
    await api('DELETE', 'model-versions/delete', { name: 'aliased', version: '1' });
    expect(await api('GET', 'registered-models/alias', { name: 'aliased', alias: 'gone' })).toMatchObject({ status: 404 });
  });
});

describe('MLflow API with a run-scoped token', () => {
  const lathe = useLathe();

  it('writes only to its own run tree, and reads its workspace', async () => {
    const admin = mlflowApi(lathe().url, lathe().token);
    const own = ((await admin('POST', 'runs/create', { experiment_id: '0' })).body as Obj).run.info.run_id as string;
    const other = ((await admin('POST', 'runs/create', { experiment_id: '0' })).body as Obj).run.info.run_id as string;
    const { token } = await lathe().client.call('createRunToken', { params: { run: own } });
    const scoped = mlflowApi(lathe().url, token);
    expect((await scoped('POST', 'runs/log-metric', { run_id: own, key: 'a', value: 1, timestamp: 1 })).status).toBe(200);
    expect(await scoped('POST', 'runs/log-metric', { run_id: other, key: 'a', value: 1, timestamp: 1 })).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
    expect(await scoped('POST', 'runs/delete', { run_id: other })).toMatchObject({ status: 403 });
    expect(await scoped('POST', 'experiments/create', { name: 'nope' })).toMatchObject({ status: 403 });
    expect(await scoped('POST', 'runs/create', { experiment_id: '0' })).toMatchObject({ status: 403 });
    const nested = await scoped('POST', 'runs/create', { experiment_id: '0', tags: [{ key: 'mlflow.parentRunId', value: own }] });
    expect(nested.status).toBe(200);
    const put = await fetch(`${lathe().url}/api/2.0/mlflow-artifacts/artifacts/0/${other}/artifacts/x.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: 'x' });
    expect(put.status).toBe(403);
    expect((await scoped('POST', 'runs/search', { experiment_ids: ['0'] })).status).toBe(200);
  });
});
