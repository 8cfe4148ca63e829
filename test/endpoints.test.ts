import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentMetrics, OnlineDeployment } from '@lathe/contract';
import { cleanup, runCli, startLathe, tempDir, waitFor, type LatheProcess } from './support/lathe-process.js';

const EX = 'examples/online-endpoint';
const ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]];
const COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/** A JavaScript scoring script: sleeps as asked, so tests can hold a replica busy. */
const SLOW_JS = `
let started = 0;
export function init() {
  if (process.env.FAIL_INIT) throw new Error('cannot load the model');
  started = Date.now();
}
export async function run(raw) {
  const { sleep } = JSON.parse(raw);
  await new Promise((r) => setTimeout(r, sleep));
  return { slept: sleep, since_init_ms: Date.now() - started };
}
`;

interface Scored {
  status: number;
  deployment: string | null;
  body: unknown;
}

describe('online endpoints: deploy a registered scikit-learn model behind a keyed, load-balanced scoring URL', () => {
  let lathe: LatheProcess;
  let key: string;
  let scoringUri: string;
  const cli = (args: string[]) => runCli(lathe.home, args);
  const json = async <T>(args: string[]): Promise<T> => {
    const res = await cli([...args, '-o', 'json']);
    if (res.code !== 0) throw new Error(`lathe ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return JSON.parse(res.stdout) as T;
  };
  const score = async (body: unknown, o: { key?: string; deployment?: string } = {}): Promise<Scored> => {
    const res = await fetch(scoringUri, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.key ?? key}`, 'content-type': 'application/json', ...(o.deployment ? { 'azureml-model-deployment': o.deployment } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, deployment: res.headers.get('azureml-model-deployment'), body: text ? JSON.parse(text) : null };
  };
  /** `concurrency` clients scoring back to back until `stop()` resolves; every answer recorded. */
  const load = (concurrency: number, body: unknown, deployment?: string) => {
    const results: Scored[] = [];
    let running = true;
    const clients = Array.from({ length: concurrency }, async () => {
      while (running) results.push(await score(body, { deployment }).catch((e: Error) => ({ status: 0, deployment: null, body: e.message })));
    });
    return { results, stop: async () => { running = false; await Promise.all(clients); return results; } };
  };
  // Polled often: through the SDK rather than a CLI process per look.
  const deployment = (name: string): Promise<OnlineDeployment> => lathe.client.call('getOnlineDeployment', { params: { endpoint: 'iris-endpoint', deployment: name } });
  const metricsOf = async (name: string) => (await lathe.client.call('getOnlineEndpointMetrics', { params: { endpoint: 'iris-endpoint' } })).items.find((m) => m.deployment === name)!;

  beforeAll(async () => {
    lathe = await startLathe();
    const train = await cli(['job', 'create', '-f', `${EX}/train/job.yml`, '--stream']);
    expect(train.stdout).toContain('registered iris-classifier 1');
    expect(train.code).toBe(0);
    expect((await cli(['online-endpoint', 'create', '-f', `${EX}/endpoint.yml`])).code).toBe(0);
    const blue = await cli(['online-deployment', 'create', '-f', `${EX}/blue-deployment.yml`, '--set', 'instance_count=2', '--all-traffic']);
    expect(blue.stderr).toContain('Recorded but not honoured on a Lathe host: instance_type');
    expect(blue.code).toBe(0);
    expect((await cli(['online-deployment', 'create', '-f', `${EX}/green-deployment.yml`])).code).toBe(0);
    key = (await json<{ primaryKey: string }>(['online-endpoint', 'get-credentials', '-n', 'iris-endpoint'])).primaryKey;
    scoringUri = (await json<{ scoring_uri: string }>(['online-endpoint', 'show', '-n', 'iris-endpoint'])).scoring_uri;
  }, 120_000);
  afterAll(async () => {
    await lathe.stop();
    cleanup(lathe.home);
  });

  it('serves score.py (init/run with the body as a JSON string) and an mlflow_model with MLflow\'s scoring protocol', async () => {
    const inv = await cli(['online-endpoint', 'invoke', '-n', 'iris-endpoint', '--request-file', `${EX}/sample-request.json`]);
    expect(inv.code).toBe(0);
    expect(JSON.parse(inv.stdout)).toEqual({ predictions: [0, 2], label: 'blue' });
    const viaGreen = await cli(['online-endpoint', 'invoke', '-n', 'iris-endpoint', '--deployment-name', 'green', '--request-file', `${EX}/mlflow-request.json`]);
    expect(JSON.parse(viaGreen.stdout)).toEqual({ predictions: [0, 2] });
    expect(viaGreen.stderr).toContain('Scored by deployment green');

    const records = ROWS.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]])));
    for (const body of [{ dataframe_records: records }, { instances: ROWS }, { inputs: ROWS }, { inputs: Object.fromEntries(COLUMNS.map((c, i) => [c, ROWS.map((r) => r[i])])) }]) {
      expect(await score(body, { deployment: 'green' })).toMatchObject({ status: 200, deployment: 'green', body: { predictions: [0, 2] } });
    }
    const bad = await score({ rows: ROWS }, { deployment: 'green' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'BAD_REQUEST' });
    // run() raising is a 500 with the script's message, as Azure ML's inference server answers.
    const broken = await score({ nodata: 1 });
    expect(broken.status).toBe(500);
    expect(JSON.stringify(broken.body)).toContain("'data'");
    const logs = await cli(['online-deployment', 'get-logs', '-e', 'iris-endpoint', '-n', 'blue']);
    expect(logs.stdout).toContain('init complete; version blue');
    expect(logs.stdout).toContain('KeyError');
  });

  it('authenticates with the primary or secondary key or a Lathe token; regenerating a key invalidates the old one', async () => {
    const keys = await json<{ primaryKey: string; secondaryKey: string }>(['online-endpoint', 'get-credentials', '-n', 'iris-endpoint']);
    expect((await fetch(scoringUri, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await score({ data: ROWS }, { key: 'wrong' })).status).toBe(401);
    expect((await score({ data: ROWS }, { key: keys.secondaryKey })).status).toBe(200);
    expect((await score({ data: ROWS }, { key: lathe.token })).status).toBe(200);
    const regen = await cli(['online-endpoint', 'regenerate-keys', '-n', 'iris-endpoint', '--key-type', 'primary']);
    expect(regen.code).toBe(0);
    expect((await score({ data: ROWS }, { key: keys.primaryKey })).status).toBe(401);
    key = (await json<{ primaryKey: string; secondaryKey: string }>(['online-endpoint', 'get-credentials', '-n', 'iris-endpoint'])).primaryKey;
    expect(key).not.toBe(keys.primaryKey);
    expect((await score({ data: ROWS })).status).toBe(200);
    expect((await score({ data: ROWS }, { key: keys.secondaryKey })).status).toBe(200);

    // The same endpoint under its workspace; another workspace's name does not find it.
    const post = (url: string, bearer: string) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: JSON.stringify({ data: ROWS }) });
    expect((await post(`${lathe.url}/api/v1/workspaces/default/endpoints/iris-endpoint/score`, key)).status).toBe(200);
    expect((await post(`${lathe.url}/api/v1/workspaces/other/endpoints/iris-endpoint/score`, key)).status).toBe(404);

    // auth_mode aml_token: Lathe tokens only; its keys neither score nor regenerate.
    expect((await cli(['online-endpoint', 'create', '-n', 'token-endpoint', '--auth-mode', 'aml_token'])).code).toBe(0);
    expect((await cli(['online-endpoint', 'get-credentials', '-n', 'token-endpoint'])).stderr).toContain('score with a Lathe token');
    expect((await post(`${lathe.url}/endpoints/token-endpoint/score`, key)).status).toBe(401);
    const noDeployments = await post(`${lathe.url}/endpoints/token-endpoint/score`, lathe.token);
    expect(noDeployments.status).toBe(404);
    expect(await noDeployments.text()).toContain('No valid deployments to route to');
    expect((await cli(['online-endpoint', 'regenerate-keys', '-n', 'token-endpoint'])).stderr).toContain('auth_mode aml_token');
    expect((await cli(['online-endpoint', 'delete', '-n', 'token-endpoint'])).code).toBe(0);
  });

  it('splits traffic 90/10 within tolerance over 1000 requests, and the header pins a deployment', async () => {
    const upd = await cli(['online-endpoint', 'update', '-n', 'iris-endpoint', '--traffic', 'blue=90 green=10']);
    expect(upd.code).toBe(0);
    const bad = await cli(['online-endpoint', 'update', '-n', 'iris-endpoint', '--traffic', 'blue=90 green=20']);
    expect(bad.stderr).toContain('must add up to 0 or 100; they add up to 110');
    // Both deployments understand this body: score.py reads "data", MLflow reads "inputs".
    const body = { data: ROWS, inputs: ROWS };
    const counts: Record<string, number> = {};
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next++ < 1000) {
        const r = await score(body);
        expect(r.status).toBe(200);
        counts[r.deployment!] = (counts[r.deployment!] ?? 0) + 1;
      }
    }));
    expect(counts.blue! + counts.green!).toBe(1000);
    // Binomial(1000, 0.1): sd ≈ 9.5; ±40 is over 4 sd.
    expect(counts.green).toBeGreaterThan(60);
    expect(counts.green).toBeLessThan(140);
    for (let i = 0; i < 20; i++) expect((await score(body, { deployment: 'green' })).deployment).toBe('green');
    const unknown = await score(body, { deployment: 'purple' });
    expect(unknown.status).toBe(404);
    const metrics = await json<{ metrics: DeploymentMetrics[] }>(['online-endpoint', 'show', '-n', 'iris-endpoint']);
    const green = metrics.metrics.find((m) => m.deployment === 'green')!;
    expect(green.totals.requests).toBeGreaterThanOrEqual(counts.green! + 20);
    expect(green.minutes.at(-1)!.p50_ms).toBeGreaterThan(0);
    expect((await cli(['online-endpoint', 'update', '-n', 'iris-endpoint', '--traffic', 'blue=100 green=0'])).code).toBe(0);
  }, 90_000);

  it('reports YAML mistakes with file, line and column, and refuses what cannot be deployed', async () => {
    const dir = tempDir('lathe-yaml-');
    writeFileSync(join(dir, 'd.yml'), 'name: bad\nendpoint_name: iris-endpoint\nmodel: azureml:iris-classifier:1\ninstance_cuont: 2\n');
    const typo = await cli(['online-deployment', 'create', '-f', join(dir, 'd.yml')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/d\.yml:4:1: instance_cuont/);
    expect(typo.stderr).toContain('instance_count');
    writeFileSync(join(dir, 'd.yml'), 'name: bad\nendpoint_name: iris-endpoint\nmodel: azureml:iris-classifier:1\n');
    const timeout = await cli(['online-deployment', 'create', '-f', join(dir, 'd.yml'), '--set', 'request_settings.request_timeout_ms=soon']);
    expect(timeout.stderr).toContain('request_settings.request_timeout_ms');
    // Registered as mlflow_model, so no script is needed; a custom model would need one.
    writeFileSync(join(dir, 'd.yml'), 'name: bad\nendpoint_name: iris-endpoint\nmodel:\n  path: .\n');
    const noScript = await cli(['online-deployment', 'create', '-f', join(dir, 'd.yml')]);
    expect(noScript.stderr).toContain('needs code_configuration');
    const aad = await cli(['online-endpoint', 'create', '-n', 'other-endpoint', '--auth-mode', 'aad_token']);
    expect(aad.stderr).toContain('aad_token');
    cleanup(dir);
  });

  it('refuses to delete a model version a live deployment uses', async () => {
    const res = await cli(['model', 'delete', '-n', 'iris-classifier', '-v', '1']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('used by live deployment(s) iris-endpoint/blue, iris-endpoint/green');
  });

  it('updates a deployment under load with zero failed requests', async () => {
    const traffic = load(4, { data: ROWS });
    await new Promise((r) => setTimeout(r, 300));
    const upd = await cli(['online-deployment', 'update', '-f', `${EX}/blue-deployment.yml`, '--set', 'instance_count=2', '--set', 'environment_variables.MODEL_LABEL=blue-v2']);
    expect(upd.code).toBe(0);
    await waitFor('answers from the new generation', async () => traffic.results.some((r) => (r.body as { label?: string }).label === 'blue-v2'));
    await new Promise((r) => setTimeout(r, 300));
    const results = await traffic.stop();
    const failed = results.filter((r) => r.status !== 200);
    expect(failed).toEqual([]);
    const labels = new Set(results.map((r) => (r.body as { label: string }).label));
    expect(labels).toEqual(new Set(['blue', 'blue-v2']));
    expect(results.length).toBeGreaterThan(50);
    expect((await deployment('blue')).generation).toBe(2);
  }, 90_000);

  it('restarts a worker killed mid-load; only its in-flight requests fail', async () => {
    const probe = async (p: string) => (await fetch(`${lathe.url}/endpoints/iris-endpoint/deployments/${p}`)).status;
    expect([await probe('blue/liveness'), await probe('blue/readiness'), await probe('purple/readiness')]).toEqual([200, 200, 404]);
    const before = await deployment('blue');
    expect(before.replicas.filter((r) => r.state === 'ready')).toHaveLength(2);
    // Three clients: one replica alone (4 concurrent) carries them while the other restarts.
    const traffic = load(3, { data: ROWS });
    await new Promise((r) => setTimeout(r, 400));
    process.kill(before.replicas[0]!.pid!, 'SIGKILL');
    await waitFor('the replica to restart', async () => {
      const d = await deployment('blue');
      return d.replicas.every((r) => r.state === 'ready') && d.replicas.some((r) => r.restarts === 1);
    });
    await new Promise((r) => setTimeout(r, 300));
    const results = await traffic.stop();
    const failed = results.filter((r) => r.status !== 200);
    expect(failed.length).toBeLessThanOrEqual(3);
    for (const f of failed) expect(f.status).toBe(502);
    expect(results.length - failed.length).toBeGreaterThan(50);
    const after = await deployment('blue');
    expect(after.replicas.map((r) => r.pid)).not.toContain(before.replicas[0]!.pid);
  }, 60_000);

  it('a JavaScript scoring script: 429 beyond max_concurrent_requests_per_instance, 408 past request_timeout_ms with the worker recycled', async () => {
    const dir = tempDir('lathe-slow-');
    mkdirSync(join(dir, 'code'));
    writeFileSync(join(dir, 'code/score.mjs'), SLOW_JS);
    writeFileSync(join(dir, 'slow.yml'), [
      'name: slow', 'endpoint_name: iris-endpoint', 'code_configuration:', '  code: code', '  scoring_script: score.mjs', 'instance_count: 1',
      'request_settings:', '  request_timeout_ms: 1500', '  max_concurrent_requests_per_instance: 1', '',
    ].join('\n'));
    const created = await cli(['online-deployment', 'create', '-f', join(dir, 'slow.yml')]);
    expect(created.code).toBe(0);
    const busy = score({ sleep: 800 }, { deployment: 'slow' });
    await waitFor('the replica to be busy', async () => (await deployment('slow')).replicas[0]!.in_flight === 1);
    const second = await score({ sleep: 10 }, { deployment: 'slow' });
    const first = await busy;
    expect(first).toMatchObject({ status: 200, body: { slept: 800 } });
    expect(second.status).toBe(429);
    const pid = (await deployment('slow')).replicas[0]!.pid;
    const t0 = Date.now();
    const stuck = await score({ sleep: 5000 }, { deployment: 'slow' });
    expect(stuck.status).toBe(408);
    expect(Date.now() - t0).toBeLessThan(3000);
    const recycled = await waitFor('a fresh worker', async () => {
      const d = await deployment('slow');
      return d.replicas[0]!.state === 'ready' && d.replicas[0]!.pid !== pid ? d : undefined;
    });
    expect(recycled.replicas[0]!.restarts).toBe(1);
    expect((await score({ sleep: 1 }, { deployment: 'slow' })).status).toBe(200);

    // An update whose init() fails is reported; the serving generation keeps answering.
    const failed = await cli(['online-deployment', 'update', '-f', join(dir, 'slow.yml'), '--set', 'environment_variables.FAIL_INIT=1']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('init() failed: cannot load the model; generation 1 keeps serving');
    expect(await deployment('slow')).toMatchObject({ provisioning_state: 'Failed', generation: 2, serving_generation: 1 });
    expect((await score({ sleep: 1 }, { deployment: 'slow' })).status).toBe(200);

    expect((await metricsOf('slow')).totals).toMatchObject({ throttled: 1, timeouts: 1 });
    const prom = await (await fetch(`${lathe.url}/metrics`, { headers: { authorization: `Bearer ${lathe.token}` } })).text();
    expect(prom).toContain('lathe_online_throttled_total{workspace="default",endpoint="iris-endpoint",deployment="slow"} 1');
    expect(prom).toContain('lathe_online_timeouts_total{workspace="default",endpoint="iris-endpoint",deployment="slow"} 1');
    expect(prom).toMatch(/lathe_online_requests_total\{workspace="default",endpoint="iris-endpoint",deployment="blue",code="200"\} \d+/);
    expect(prom).toMatch(/lathe_online_request_duration_seconds_count\{[^}]*deployment="green"\} \d+/);
    expect((await fetch(`${lathe.url}/metrics`)).status).toBe(401);
    expect((await cli(['online-deployment', 'delete', '-e', 'iris-endpoint', '-n', 'slow'])).code).toBe(0);

    // Autoscaling settings from the YAML (the scaling itself: replica-pool.test.ts).
    writeFileSync(join(dir, 'auto.yml'), [
      'name: auto', 'endpoint_name: iris-endpoint', 'code_configuration:', '  code: code', '  scoring_script: score.mjs',
      'scale_settings:', '  type: target_utilization', '  min_instances: 1', '  max_instances: 3', '  polling_interval: 2', '  target_utilization_percentage: 50',
      'request_settings:', '  max_concurrent_requests_per_instance: 4', '',
    ].join('\n'));
    const auto = await json<OnlineDeployment>(['online-deployment', 'create', '-f', join(dir, 'auto.yml')]);
    expect(auto.scale_settings).toEqual({ type: 'target_utilization', min_instances: 1, max_instances: 3, polling_interval: 2, target_concurrency: 2 });
    expect(auto.replicas).toHaveLength(1);
    expect((await cli(['online-deployment', 'delete', '-e', 'iris-endpoint', '-n', 'auto'])).code).toBe(0);
    cleanup(dir);
  }, 60_000);

  it('builds a deployment\'s environment on the server host and runs its workers in it', async () => {
    const dir = tempDir('lathe-envdep-');
    mkdirSync(join(dir, 'code'));
    writeFileSync(join(dir, 'code/score.py'), 'import os, sys\n\ndef init():\n    pass\n\ndef run(raw_data):\n    return {"prefix": sys.prefix, "mark": os.environ.get("ENV_MARK")}\n');
    writeFileSync(join(dir, 'envdep.yml'), [
      'name: envdep', 'endpoint_name: iris-endpoint', 'code_configuration:', '  code: code', '  scoring_script: score.py', 'instance_count: 1',
      'environment:', '  python: /usr/bin/python3', '  system_site_packages: true', '  environment_variables:', '    ENV_MARK: from-the-environment', '',
    ].join('\n'));
    const created = await cli(['online-deployment', 'create', '-f', join(dir, 'envdep.yml')]);
    expect(created.code).toBe(0);
    const res = await score({}, { deployment: 'envdep' });
    expect(res.status).toBe(200);
    // the worker runs in a virtual environment from the node's environment cache, with its variables
    expect(res.body).toMatchObject({ mark: 'from-the-environment', prefix: expect.stringContaining('.cache/envs') });
    expect((await cli(['online-deployment', 'get-logs', '-e', 'iris-endpoint', '-n', 'envdep'])).stdout).toContain('environment:');
    expect((await cli(['online-deployment', 'delete', '-e', 'iris-endpoint', '-n', 'envdep'])).code).toBe(0);
    cleanup(dir);
  }, 90_000);

  it('mirrors a share of traffic to a deployment whose answers are discarded', async () => {
    expect((await cli(['online-endpoint', 'update', '-n', 'iris-endpoint', '--mirror-traffic', 'green=50'])).code).toBe(0);
    const before = (await metricsOf('green')).totals.mirrored;
    for (let i = 0; i < 100; i++) expect(await score({ data: ROWS, inputs: ROWS })).toMatchObject({ status: 200, deployment: 'blue' });
    const after = (await metricsOf('green')).totals.mirrored;
    expect(after - before).toBeGreaterThan(25);
    expect(after - before).toBeLessThan(75);
    const refused = await cli(['online-deployment', 'delete', '-e', 'iris-endpoint', '-n', 'green']);
    expect(refused.stderr).toContain('still takes traffic');
    expect((await cli(['online-endpoint', 'update', '-n', 'iris-endpoint', '--mirror-traffic', 'green=0'])).code).toBe(0);
  });

  it('samples requests and answers with the data collector', async () => {
    for (let i = 0; i < 40; i++) expect((await score({ inputs: [[5.1, 3.5, 1.4, i / 10]] }, { deployment: 'green' })).status).toBe(200);
    const { items } = await lathe.client.call('getOnlineDeploymentData', { params: { endpoint: 'iris-endpoint', deployment: 'green' }, query: { max_results: 1000 } });
    const mine = items.filter((r) => /^\{"inputs":\[\[5\.1,3\.5,1\.4,[\d.]+\]\]\}$/.test(JSON.stringify(r.model_inputs)));
    // sampling_rate 0.5 of 40: Binomial sd ≈ 3.2.
    expect(mine.length).toBeGreaterThan(6);
    expect(mine.length).toBeLessThan(34);
    expect(mine[0]).toMatchObject({ endpoint: 'iris-endpoint', deployment: 'green', status: 200, model_outputs: { predictions: [0] } });
  });

  it('workers die with a crashed server, and deployments come back when it starts again', async () => {
    const pids = (await deployment('blue')).replicas.map((r) => r.pid!);
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).toHaveLength(2);
    await lathe.kill();
    // The protocol pipe closes with the server; each worker reads its end and exits.
    await waitFor('orphaned workers to exit', async () => pids.every((p) => !alive(p)), 10_000);
    lathe = await startLathe({ home: lathe.home });
    scoringUri = scoringUri.replace(/:\d+\//, `:${lathe.port}/`);
    await waitFor('blue to be ready again', async () => (await deployment('blue')).replicas.filter((r) => r.state === 'ready').length === 2);
    expect(await score({ data: ROWS })).toMatchObject({ status: 200, body: { predictions: [0, 2], label: 'blue-v2' } });
    expect((await cli(['online-endpoint', 'delete', '-n', 'iris-endpoint', '--yes'])).code).toBe(0);
    expect((await cli(['model', 'delete', '-n', 'iris-classifier', '-v', '1'])).code).toBe(0);
  }, 60_000);
});
