import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { isMap, LineCounter, parseDocument } from 'yaml';
import {
  DeploymentYaml, EndpointYaml, parseAssetRef,
  type DeploymentMetrics, type DeploymentSpecInput, type OnlineDeployment, type OnlineEndpoint,
} from '@lathe/contract';
import type { LatheClient } from '@lathe/client';
import { describeIssues } from '../job-file/describe-issues.js';
import { JobFileError, type JobFileProblem } from '../job-file/job-file-error.js';
import { YamlLocator } from '../job-file/yaml-locator.js';
import { JOB_YAML_OPTIONS } from '../job-file/yaml-options.js';
import { applySetOverrides } from '../job-file/set-overrides.js';
import type { SpecSchema } from '../job-file/load-spec-file.js';
import { readCredentials } from '../connection/connect.js';
import { dataManifest } from '../upload/data-manifest.js';
import { uploadSnapshot } from '../upload/upload-snapshot.js';
import { formatTime, table } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { CommandContext } from './command-context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const ENDPOINT_IGNORED = ['identity', 'public_network_access', 'kind', 'compute'] as const;
const DEPLOYMENT_IGNORED = ['instance_type', 'app_insights_enabled', 'egress_public_network_access', 'private_network_connection', 'with_package'] as const;

/** Read an endpoint or deployment YAML with `--set` overrides; errors say file:line:col. */
async function loadYaml<T>(file: string, schema: SpecSchema<T>, set: readonly string[], what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new JobFileError([{ file, key: '', reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${what} not found` : (err as Error).message }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...JOB_YAML_OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new JobFileError(doc.errors.map((e) => ({ file, ...(({ line, col }) => ({ line, column: col }))(lines.linePos(e.pos[0])), key: '', reason: `invalid YAML: ${e.message}` })));
  }
  if (!isMap(doc.contents)) throw new JobFileError([{ file, key: '', reason: `a ${what} is a mapping with at least 'name'` }]);
  const overrides = applySetOverrides(doc, set, file);
  const data = doc.toJS() as unknown;
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const locator = new YamlLocator(doc, lines, overrides);
  throw new JobFileError(describeIssues(parsed.error.issues, data, schema).map((r): JobFileProblem => ({
    file, key: r.path.map(String).join('.'), reason: r.reason, ...locator.locate(r.path, r.target),
  })));
}

/** `blue=90 green=10` or `blue=90,green=10`. */
function weights(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([\w-]+)=(\d+)$/.exec(part);
    if (!m) throw new Error(`traffic '${part}' is not deployment=percent (e.g. --traffic "blue=90 green=10")`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

const stringy = (r: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
const percents = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ') || '-';

function endpointDetails(e: OnlineEndpoint, deployments: OnlineDeployment[], metrics: DeploymentMetrics[]): string {
  const rows: string[][] = [
    ['Name:', e.name], ['Scoring URI:', e.scoring_uri], ['Auth mode:', e.auth_mode], ['State:', e.provisioning_state],
    ['Traffic:', percents(e.traffic)], ['Mirror traffic:', percents(e.mirror_traffic)], ['Description:', e.description ?? '-'],
    ['Created:', formatTime(e.created_at)],
  ];
  if (Object.keys(e.tags).length) rows.push(['Tags:', Object.entries(e.tags).map(([k, v]) => `${k}=${v}`).join(', ')]);
  let text = table(rows);
  if (deployments.length) {
    text += `\n\n${table([['DEPLOYMENT', 'STATE', 'MODEL', 'REPLICAS', 'REQUESTS', 'ERRORS', '429', 'TIMEOUTS', 'P50 MS', 'P99 MS'], ...deployments.map((d) => {
      const m = metrics.find((x) => x.deployment === d.name);
      const last = m?.minutes[m.minutes.length - 1];
      return [d.name, d.provisioning_state, d.model ?? '-', `${d.replicas.filter((r) => r.state === 'ready').length}/${d.replicas.length}`,
        String(m?.totals.requests ?? 0), String(m?.totals.errors ?? 0), String(m?.totals.throttled ?? 0), String(m?.totals.timeouts ?? 0),
        last?.p50_ms?.toString() ?? '-', last?.p99_ms?.toString() ?? '-'];
    })])}`;
  }
  return text;
}

function deploymentDetails(d: OnlineDeployment): string {
  const rows: string[][] = [
    ['Name:', d.name], ['Endpoint:', d.endpoint_name], ['State:', d.provisioning_state + (d.status_message ? ` (${d.status_message})` : '')],
    ['Model:', d.model ? `${d.model} (${d.model_type})` : '-'],
    ['Scoring script:', d.code_configuration?.scoring_script ?? (d.model_type === 'mlflow_model' ? '(none: MLflow scoring protocol)' : '-')],
    ['Environment:', d.environment ? `${d.environment} (recorded; workers run in the host Python)` : '-'],
    ['Instances:', d.scale_settings.type === 'target_utilization' ? `${d.scale_settings.min_instances}–${d.scale_settings.max_instances} (target ${d.scale_settings.target_concurrency} in flight each)` : String(d.instance_count)],
    ['Request timeout:', `${d.request_settings.request_timeout_ms} ms`], ['Max concurrent:', `${d.request_settings.max_concurrent_requests_per_instance} per instance`],
    ['Generation:', d.serving_generation !== null && d.serving_generation !== d.generation ? `${d.generation} (serving: ${d.serving_generation})` : String(d.generation)],
    ['Replicas:', d.replicas.map((r) => `pid ${r.pid ?? '-'} ${r.state} (${r.restarts} restarts)`).join('; ') || '-'],
  ];
  return table(rows);
}

async function uploadFolder(client: LatheClient, path: string, out: Output, label: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`${label} path ${path} does not exist`);
  const m = await dataManifest(path, info.isDirectory() ? 'uri_folder' : 'uri_file', label);
  return (await uploadSnapshot(client, m.files, m.absPaths, out, label)).snapshot.id;
}

/** Turn a deployment YAML into the server's spec: references kept, local folders uploaded. */
async function deploymentSpec(client: LatheClient, y: DeploymentYaml, baseDir: string, out: Output): Promise<DeploymentSpecInput> {
  let model: DeploymentSpecInput['model'] = null;
  if (typeof y.model === 'string') {
    const ref = parseAssetRef(y.model);
    if (!ref) throw new Error(`model '${y.model}' is not a registered model reference: use azureml:<name>:<version>, azureml:<name>@latest, or an inline {path: ...}`);
    model = { kind: 'registered', ...ref };
  } else if (y.model) {
    const ref = parseAssetRef(y.model.path);
    model = ref ? { kind: 'registered', ...ref } : { kind: 'files', snapshot_id: await uploadFolder(client, resolve(baseDir, y.model.path), out, 'model files'), type: y.model.type ?? 'custom_model' };
  }
  const code = y.code_configuration
    ? { snapshot_id: await uploadFolder(client, resolve(baseDir, y.code_configuration.code), out, 'code'), scoring_script: y.code_configuration.scoring_script }
    : null;
  const ignored = DEPLOYMENT_IGNORED.filter((k) => y[k] !== undefined);
  if (y.liveness_probe || y.readiness_probe) out.note('liveness_probe / readiness_probe: a replica is ready when init() returns and live while its process runs; probe timings are recorded.');
  const dc = y.data_collector;
  return {
    description: y.description ?? null,
    tags: stringy(y.tags),
    properties: stringy(y.properties),
    model,
    code,
    environment: y.environment === undefined ? null : typeof y.environment === 'string' ? y.environment : JSON.stringify(y.environment),
    instance_count: y.instance_count,
    environment_variables: stringy(y.environment_variables),
    request_settings: y.request_settings ?? {},
    liveness_probe: y.liveness_probe ?? {},
    readiness_probe: y.readiness_probe ?? {},
    ...(y.scale_settings ? { scale_settings: y.scale_settings } : {}),
    // Sampled when any collection (model_inputs, model_outputs) is enabled; both are recorded together.
    data_collector: dc && Object.values(dc.collections ?? {}).some((c) => String(c.enabled).toLowerCase() === 'true') ? { sampling_rate: dc.sampling_rate ?? 1 } : null,
    ignored_keys: ignored,
  };
}

async function waitForDeployment(client: LatheClient, endpoint: string, name: string, generation: number, out: Output): Promise<OnlineDeployment> {
  const start = Date.now();
  for (;;) {
    const d = await client.call('getOnlineDeployment', { params: { endpoint, deployment: name } });
    if (d.generation > generation) return d;
    if (d.provisioning_state === 'Succeeded' || d.provisioning_state === 'Failed') return d;
    if (Date.now() - start > 10 * 60_000) throw new Error(`deployment ${endpoint}/${name} is still ${d.provisioning_state} after 10 minutes`);
    out.progress(0, 0, '');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function endpointCommands(program: Command, ctx: CommandContext): void {
  const ep = program.command('online-endpoint').description('Online endpoints: a stable, keyed scoring URL (as `az ml online-endpoint`)');

  const putEndpoint = async (o: { file?: string; name?: string; set?: string[]; authMode?: string; traffic?: string; mirrorTraffic?: string; description?: string }, cmd: Command, creating: boolean) => {
    const { client, out } = ctx.connect(cmd);
    const y: Partial<EndpointYaml> = o.file ? await loadYaml(o.file, EndpointYaml, o.set ?? [], 'endpoint file') : {};
    const name = o.name ?? y.name;
    if (!name) throw new Error('say which endpoint: -n NAME or -f endpoint.yml');
    const authMode = o.authMode ?? y.auth_mode;
    if (authMode === 'aad_token') throw new Error('auth_mode aad_token (Microsoft Entra) is not available on Lathe; use key or aml_token');
    const ignored = ENDPOINT_IGNORED.filter((k) => y[k] !== undefined);
    if (ignored.length) out.note(`Recorded but not honoured on a Lathe host: ${ignored.join(', ')}`);
    if (creating) {
      const exists = await client.call('getOnlineEndpoint', { params: { endpoint: name } }).then(() => true, () => false);
      if (exists) throw new Error(`online endpoint '${name}' already exists; use 'lathe online-endpoint update'`);
    }
    const e = await client.call('putOnlineEndpoint', {
      params: { endpoint: name },
      body: {
        ...(authMode ? { auth_mode: authMode as 'key' | 'aml_token' } : {}),
        ...(o.description ?? y.description ? { description: o.description ?? y.description } : {}),
        ...(y.tags ? { tags: stringy(y.tags) } : {}),
        ...(y.properties ? { properties: stringy(y.properties) } : {}),
        ...(o.traffic ? { traffic: weights(o.traffic) } : y.traffic ? { traffic: y.traffic } : {}),
        ...(o.mirrorTraffic ? { mirror_traffic: weights(o.mirrorTraffic) } : y.mirror_traffic ? { mirror_traffic: y.mirror_traffic } : {}),
        ...(o.file ? { ignored_keys: ignored } : {}),
      },
    });
    out.result(e, () => `${creating ? 'Created' : 'Updated'} online endpoint ${e.name}\n${endpointDetails(e, [], [])}`);
  };

  ep.command('create')
    .description('Create an endpoint from a YAML file (keys are generated)')
    .option('-f, --file <file>', 'Azure ML online endpoint YAML')
    .option('-n, --name <name>', 'endpoint name (overrides the file)')
    .option('--auth-mode <mode>', 'key or aml_token')
    .option('--set <path=value>', 'override a YAML key (repeatable)', collect)
    .action((o, cmd: Command) => putEndpoint(o, cmd, true));

  ep.command('update')
    .description('Update traffic, mirror traffic, description or tags')
    .option('-f, --file <file>', 'Azure ML online endpoint YAML')
    .option('-n, --name <name>', 'endpoint name')
    .option('--traffic <weights>', 'e.g. "blue=90 green=10" (must add up to 0 or 100)')
    .option('--mirror-traffic <weights>', 'e.g. "green=10" (one deployment, at most 50)')
    .option('--set <path=value>', 'override a YAML key (repeatable)', collect)
    .action((o, cmd: Command) => putEndpoint(o, cmd, false));

  ep.command('show')
    .description('An endpoint: scoring URI, traffic, deployments with their replicas and request telemetry')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const e = await client.call('getOnlineEndpoint', { params: { endpoint: o.name } });
      const [deployments, metrics] = await Promise.all([
        client.call('listOnlineDeployments', { params: { endpoint: o.name } }),
        client.call('getOnlineEndpointMetrics', { params: { endpoint: o.name } }),
      ]);
      out.result({ ...e, deployments: deployments.items, metrics: metrics.items }, () => endpointDetails(e, deployments.items, metrics.items));
    });

  ep.command('list')
    .description('Endpoints of the workspace')
    .action(async (_o, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const { items } = await client.call('listOnlineEndpoints', { params: {} });
      out.result(items, () => (items.length ? table([['NAME', 'AUTH', 'STATE', 'TRAFFIC', 'SCORING URI'], ...items.map((e) => [e.name, e.auth_mode, e.provisioning_state, percents(e.traffic), e.scoring_uri])]) : 'No online endpoints.'));
    });

  ep.command('delete')
    .description('Delete an endpoint and all its deployments')
    .requiredOption('-n, --name <name>')
    .option('-y, --yes', 'do not ask (accepted for az ml compatibility)')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      await client.call('deleteOnlineEndpoint', { params: { endpoint: o.name } });
      out.note(`Deleted online endpoint ${o.name}`);
    });

  ep.command('get-credentials')
    .description('The endpoint\'s primary and secondary keys')
    .requiredOption('-n, --name <name>')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const keys = await client.call('listOnlineEndpointKeys', { params: { endpoint: o.name } });
      out.result(keys, () => table([['primaryKey:', keys.primaryKey], ['secondaryKey:', keys.secondaryKey]]));
    });

  ep.command('regenerate-keys')
    .description('Replace a key; the old one stops working at once')
    .requiredOption('-n, --name <name>')
    .option('--key-type <type>', 'primary or secondary', 'primary')
    .action(async (o: { name: string; keyType: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      if (o.keyType !== 'primary' && o.keyType !== 'secondary') throw new Error('--key-type is primary or secondary');
      const keys = await client.call('regenerateOnlineEndpointKeys', { params: { endpoint: o.name }, body: { key_type: o.keyType } });
      out.result(keys, () => `Regenerated the ${o.keyType} key of ${o.name}`);
    });

  ep.command('invoke')
    .description('Score a request file through the endpoint\'s scoring URI')
    .requiredOption('-n, --name <name>')
    .requiredOption('-r, --request-file <file>', 'the request body (JSON)')
    .option('-d, --deployment-name <name>', 'send to this deployment (the azureml-model-deployment header)')
    .action(async (o: { name: string; requestFile: string; deploymentName?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const e = await client.call('getOnlineEndpoint', { params: { endpoint: o.name } });
      const flags = cmd.optsWithGlobals() as { token?: string };
      const bearer = e.auth_mode === 'key'
        ? (await client.call('listOnlineEndpointKeys', { params: { endpoint: o.name } })).primaryKey
        : flags.token ?? ctx.env.LATHE_TOKEN ?? readCredentials(ctx.env).token ?? '';
      const res = await fetch(e.scoring_uri, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(o.deploymentName ? { 'azureml-model-deployment': o.deploymentName } : {}) },
        body: await readFile(o.requestFile),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`scoring failed with HTTP ${res.status} (deployment ${res.headers.get('azureml-model-deployment') ?? '-'}): ${text}`);
      out.note(`Scored by deployment ${res.headers.get('azureml-model-deployment') ?? '-'}`);
      process.stdout.write(`${text}\n`);
    });

  const dep = program.command('online-deployment').description('Deployments behind an online endpoint (as `az ml online-deployment`)');

  const putDeployment = async (o: { file: string; name?: string; endpointName?: string; set?: string[]; allTraffic?: boolean; noWait?: boolean }, cmd: Command, creating: boolean) => {
    const { client, out } = ctx.connect(cmd);
    const y = await loadYaml(o.file, DeploymentYaml, o.set ?? [], 'deployment file');
    const name = o.name ?? y.name;
    const endpoint = o.endpointName ?? y.endpoint_name;
    const exists = await client.call('getOnlineDeployment', { params: { endpoint, deployment: name } }).then(() => true, () => false);
    if (creating && exists) throw new Error(`deployment '${name}' already exists in endpoint '${endpoint}'; use 'lathe online-deployment update'`);
    if (!creating && !exists) throw new Error(`deployment '${name}' does not exist in endpoint '${endpoint}'; use 'lathe online-deployment create'`);
    const spec = await deploymentSpec(client, y, dirname(resolve(o.file)), out);
    if (spec.ignored_keys?.length) out.note(`Recorded but not honoured on a Lathe host: ${spec.ignored_keys.join(', ')}`);
    let d = await client.call('putOnlineDeployment', { params: { endpoint, deployment: name }, body: spec });
    if (!o.noWait) {
      out.note(`${creating ? 'Creating' : 'Updating'} deployment ${endpoint}/${name} (generation ${d.generation})…`);
      d = await waitForDeployment(client, endpoint, name, d.generation, out);
      if (d.provisioning_state === 'Failed') throw new Error(`deployment ${endpoint}/${name} failed: ${d.status_message ?? 'unknown reason'}`);
    }
    if (o.allTraffic) {
      await client.call('putOnlineEndpoint', { params: { endpoint }, body: { traffic: { [name]: 100 } } });
      out.note(`Endpoint ${endpoint} now sends all traffic to ${name}`);
    }
    out.result(d, () => deploymentDetails(d));
  };

  for (const verb of ['create', 'update'] as const) {
    dep.command(verb)
      .description(verb === 'create' ? 'Create a deployment from a YAML file; waits until its replicas are ready' : 'Update a deployment: new replicas start and take over once ready (no failed requests)')
      .requiredOption('-f, --file <file>', 'Azure ML online deployment YAML')
      .option('-n, --name <name>', 'deployment name (overrides the file)')
      .option('-e, --endpoint-name <name>', 'endpoint (overrides the file)')
      .option('--all-traffic', 'then send 100% of the endpoint\'s traffic to it')
      .option('--no-wait', 'return at once (state Creating/Updating)')
      .option('--set <path=value>', 'override a YAML key (repeatable)', collect)
      .action((o: { file: string; name?: string; endpointName?: string; set?: string[]; allTraffic?: boolean; wait?: boolean }, cmd: Command) =>
        putDeployment({ ...o, noWait: o.wait === false }, cmd, verb === 'create'));
  }

  dep.command('show')
    .description('One deployment: state, model, replicas, settings')
    .requiredOption('-n, --name <name>')
    .requiredOption('-e, --endpoint-name <name>')
    .action(async (o: { name: string; endpointName: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const d = await client.call('getOnlineDeployment', { params: { endpoint: o.endpointName, deployment: o.name } });
      out.result(d, () => deploymentDetails(d));
    });

  dep.command('list')
    .description('Deployments of an endpoint')
    .requiredOption('-e, --endpoint-name <name>')
    .action(async (o: { endpointName: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const { items } = await client.call('listOnlineDeployments', { params: { endpoint: o.endpointName } });
      out.result(items, () => (items.length ? table([['NAME', 'STATE', 'MODEL', 'INSTANCES', 'REPLICAS READY', 'UPDATED'], ...items.map((d) => [d.name, d.provisioning_state, d.model ?? '-', String(d.instance_count), String(d.replicas.filter((r) => r.state === 'ready').length), formatTime(d.updated_at)])]) : 'No deployments.'));
    });

  dep.command('delete')
    .description('Delete a deployment (its traffic must be 0)')
    .requiredOption('-n, --name <name>')
    .requiredOption('-e, --endpoint-name <name>')
    .option('-y, --yes', 'do not ask (accepted for az ml compatibility)')
    .action(async (o: { name: string; endpointName: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      await client.call('deleteOnlineDeployment', { params: { endpoint: o.endpointName, deployment: o.name } });
      out.note(`Deleted deployment ${o.endpointName}/${o.name}`);
    });

  dep.command('get-logs')
    .description('The scoring workers\' console output (init(), prints, tracebacks)')
    .requiredOption('-n, --name <name>')
    .requiredOption('-e, --endpoint-name <name>')
    .option('-l, --lines <n>', 'how many lines from the end', '100')
    .action(async (o: { name: string; endpointName: string; lines: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const logs = await client.call('getOnlineDeploymentLogs', { params: { endpoint: o.endpointName, deployment: o.name }, query: { lines: Number(o.lines) } });
      out.result(logs, () => logs.text.replace(/\n$/, ''));
    });
}
