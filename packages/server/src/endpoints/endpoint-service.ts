import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alreadyExists, DEPLOYMENT_NAME_PATTERN, DeploymentSpec, ENDPOINT_NAME_PATTERN, invalid, notFound, precondition,
  type CollectedRecord, type DeploymentMetrics, type EndpointKeys, type MlModelInfo, type OnlineDeployment, type OnlineEndpoint, type PutEndpoint,
  type ResolvedEnvironment,
} from '@lathe/contract';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { ModelService } from '../models/model-service.js';
import type { EndpointStore } from './endpoint-store.js';
import type { DeploymentRow, EndpointRow } from './endpoint-tables.js';
import { LiveDeployment, type Autoscale } from './live-deployment.js';
import type { LiveEndpoint } from './live-endpoint.js';
import { materializeDeployment, pruneGenerations } from './deployment-files.js';
import type { WorkerCommand } from './scoring-worker.js';
import type { DeploymentSeries } from './prometheus.js';
import type { DataCollector } from './data-collector.js';
import type { HostEnvironment, PrepareHostEnvironment } from '../config.js';
import type { Keyring } from '../secrets/master-key.js';
import { EndpointKeyVault } from './endpoint-key-vault.js';

/** How scoring workers are started on this host. */
export interface ScoringHosts {
  /** The Python that runs `-m lathe_scoring` (Debian's /usr/bin/python3 by default). */
  readonly python: string;
  /** The folder holding `lathe_scoring` (and the `lathe` module). */
  readonly pythonPath: string;
  /** Node, and the JavaScript scoring host script, for `.js` / `.mjs` scoring scripts. */
  readonly node: string;
  readonly nodeHost: string;
  /** The environment workers start from (PATH, HOME…). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
}

export interface EndpointServiceOptions {
  store: EndpointStore;
  /** The vault's master keys: endpoint keys are sealed under them at rest. */
  keyring: Keyring;
  models: ModelService;
  snapshots: SnapshotService;
  /** Where sampled requests go (data_collector). */
  collector: DataCollector;
  /** Endpoint files and worker logs live under here. */
  dir: string;
  hosts: ScoringHosts;
  /** The server's base URL, for scoring URIs. */
  baseUrl: () => string;
  workspaceName: (wsId: number) => Promise<string>;
  log: (message: string) => void;
  /** Resolves a deployment's `environment` as jobs' are resolved (references, aliases, inline). */
  environments?: { resolve(wsId: number, environment: unknown, compute: string): Promise<ResolvedEnvironment | null> } | undefined;
  /** Materialises it on this host; without it workers run in the host Python. */
  prepareEnvironment?: PrepareHostEnvironment | undefined;
}

type Spec = DeploymentSpec;
const json = <T>(s: string) => JSON.parse(s) as T;
const newKey = () => randomBytes(32).toString('base64url');

function resolvedSettings(spec: Spec) {
  const rs = spec.request_settings;
  const request_settings = {
    request_timeout_ms: rs.request_timeout_ms ?? 5000,
    max_concurrent_requests_per_instance: rs.max_concurrent_requests_per_instance ?? 1,
    max_queue_wait_ms: rs.max_queue_wait_ms ?? 500,
  };
  const s = spec.scale_settings;
  const auto = s?.type === 'target_utilization';
  const min = auto ? (s.min_instances ?? 1) : spec.instance_count;
  const max = auto ? Math.max(min, s.max_instances ?? Math.max(spec.instance_count, min)) : spec.instance_count;
  const scale_settings = {
    type: auto ? 'target_utilization' as const : 'default' as const,
    min_instances: min,
    max_instances: max,
    polling_interval: s?.polling_interval ?? 1,
    target_concurrency: s?.target_concurrency ?? request_settings.max_concurrent_requests_per_instance * ((s?.target_utilization_percentage ?? 70) / 100),
  };
  return { request_settings, scale_settings };
}

/**
 * Online endpoints and deployments: validation, keys, rollouts of scoring workers, and
 * the in-memory view (`live`) the gateway routes with.
 */
export class EndpointService {
  private readonly live = new Map<string, LiveEndpoint>();
  private readonly deployments = new Map<string, LiveDeployment>();
  private closed = false;
  private readonly vault: EndpointKeyVault;

  constructor(private readonly o: EndpointServiceOptions) {
    this.vault = new EndpointKeyVault(o.store, o.keyring);
  }

  /**
   * Seal plaintext keys (databases from before keys were sealed) and re-seal keys under an
   * older master key; the server calls it at start, before it serves, and key rotation does.
   */
  reencryptKeys = (): Promise<number> => this.vault.reencryptAll();

  // ---- the gateway's view ----

  /** The endpoint the gateway routes for `name`, if it exists. */
  liveEndpoint(name: string): LiveEndpoint | undefined {
    return this.live.get(name);
  }

  /** Deployments (endpoint/name) that use a model version: the model registry's in-use hook. */
  modelUsage = (wsId: number, name: string, version: number): Promise<string[]> => this.o.store.usersOfModel(wsId, name, version);

  private liveDeployment(endpoint: string, name: string): LiveDeployment {
    const key = `${endpoint}/${name}`;
    let d = this.deployments.get(key);
    if (!d) {
      d = new LiveDeployment(endpoint, name, this.o.log);
      this.deployments.set(key, d);
    }
    return d;
  }

  private async refreshLive(name: string): Promise<void> {
    const row = await this.o.store.endpoint(name);
    if (!row) {
      this.live.delete(name);
      return;
    }
    const rows = await this.o.store.deployments(name);
    const deployments = new Map(rows.map((r) => [r.name, this.liveDeployment(name, r.name)]));
    const traffic = json<Record<string, number>>(row.traffic);
    let upTo = 0;
    const routes = Object.entries(traffic).filter(([d, w]) => w > 0 && deployments.has(d)).map(([d, w]) => ({ deployment: deployments.get(d)!, upTo: (upTo += w) }));
    const [mirrorName, percent] = Object.entries(json<Record<string, number>>(row.mirror_traffic)).find(([, w]) => w > 0) ?? [];
    // Opened here, on a change, so the gateway's hot path compares plaintext bytes held in memory only.
    const keys = row.auth_mode === 'key' ? this.vault.open(row) : null;
    this.live.set(name, {
      name,
      wsId: Number(row.workspace_id),
      wsName: await this.o.workspaceName(Number(row.workspace_id)),
      authMode: row.auth_mode as 'key' | 'aml_token',
      keys: keys ? [Buffer.from(keys.primaryKey), Buffer.from(keys.secondaryKey)] : [],
      routes,
      mirror: mirrorName && deployments.has(mirrorName) ? { deployment: deployments.get(mirrorName)!, percent: percent! } : null,
      deployments,
    });
  }

  /** At server start: make the in-memory view and start every deployment's replicas again. */
  async startAll(): Promise<void> {
    for (const e of await this.o.store.allEndpoints()) await this.refreshLive(e.name);
    for (const d of await this.o.store.allDeployments()) {
      // A failed update never served: start the generation that did (its state stays Failed, for the record).
      if (d.state === 'Failed' && d.serving_spec !== null && d.serving_generation !== null) this.startRollout({ ...d, spec: d.serving_spec, generation: d.serving_generation });
      else this.startRollout(d);
    }
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.deployments.values()].map((d) => d.stop()));
    await this.o.collector.flush();
  }

  /** The gateway hands sampled requests here. */
  collect(endpoint: string, deployment: string, request: Buffer, status: number, response: Buffer): void {
    this.o.collector.add(endpoint, deployment, request, status, response);
  }

  async collected(ws: WorkspaceRef, endpoint: string, name: string, max: number): Promise<CollectedRecord[]> {
    await this.deploymentRow(ws, endpoint, name);
    return this.o.collector.recent(endpoint, name, max);
  }

  // ---- endpoints ----

  private async endpointRow(ws: WorkspaceRef, name: string): Promise<EndpointRow> {
    const row = await this.o.store.endpoint(name);
    if (!row || Number(row.workspace_id) !== ws.id) throw notFound(`online endpoint '${name}' not found in workspace '${ws.name}'`);
    return row;
  }

  private toEndpoint(row: EndpointRow, deployments: DeploymentRow[]): OnlineEndpoint {
    const states = deployments.map((d) => d.state);
    const state = states.includes('Creating') ? 'Updating' : states.includes('Updating') ? 'Updating' : 'Succeeded';
    return {
      name: row.name,
      description: row.description,
      tags: json(row.tags),
      properties: json(row.properties),
      auth_mode: row.auth_mode as 'key' | 'aml_token',
      traffic: json(row.traffic),
      mirror_traffic: json(row.mirror_traffic),
      scoring_uri: `${this.o.baseUrl()}/endpoints/${row.name}/score`,
      openapi_uri: null,
      provisioning_state: state,
      ignored_keys: json(row.ignored_keys),
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    };
  }

  async listEndpoints(ws: WorkspaceRef): Promise<OnlineEndpoint[]> {
    const rows = await this.o.store.endpoints(ws.id);
    return Promise.all(rows.map(async (r) => this.toEndpoint(r, await this.o.store.deployments(r.name))));
  }

  async getEndpoint(ws: WorkspaceRef, name: string): Promise<OnlineEndpoint> {
    const row = await this.endpointRow(ws, name);
    return this.toEndpoint(row, await this.o.store.deployments(name));
  }

  private async checkTraffic(name: string, traffic: Record<string, number>, mirror: Record<string, number>): Promise<void> {
    const known = new Set((await this.o.store.deployments(name)).map((d) => d.name));
    for (const d of [...Object.keys(traffic), ...Object.keys(mirror)]) {
      if (!known.has(d)) throw invalid(`traffic names deployment '${d}', which endpoint '${name}' does not have${known.size ? ` (it has ${[...known].join(', ')})` : ' (create deployments first)'}`);
    }
    const sum = Object.values(traffic).reduce((a, b) => a + b, 0);
    if (sum !== 0 && sum !== 100) throw invalid(`traffic weights must add up to 0 or 100; they add up to ${sum}`);
    const mirrored = Object.entries(mirror).filter(([, w]) => w > 0);
    if (mirrored.length > 1) throw invalid('mirror_traffic can copy requests to one deployment only');
    const [m] = mirrored;
    if (m && m[1] > 50) throw invalid(`mirror_traffic is at most 50 percent; got ${m[1]} for '${m[0]}'`);
    if (m && (traffic[m[0]] ?? 0) > 0) throw invalid(`deployment '${m[0]}' takes live traffic; mirror_traffic must go to a deployment with 0 live traffic`);
  }

  /** Create an endpoint (with new keys) or update its traffic, description and tags. */
  async putEndpoint(ws: WorkspaceRef, userId: number, name: string, body: PutEndpoint): Promise<OnlineEndpoint> {
    if (!ENDPOINT_NAME_PATTERN.test(name)) throw invalid(`invalid endpoint name '${name}': 3–32 letters, digits and '-', starting with a letter`);
    const existing = await this.o.store.endpoint(name);
    if (existing && Number(existing.workspace_id) !== ws.id) throw alreadyExists(`an online endpoint named '${name}' already exists on this server (endpoint names are unique, as scoring URIs are)`);
    const now = Date.now();
    const traffic = body.traffic ?? (existing ? json<Record<string, number>>(existing.traffic) : {});
    const mirror = body.mirror_traffic ?? (existing ? json<Record<string, number>>(existing.mirror_traffic) : {});
    await this.checkTraffic(name, traffic, mirror);
    if (!existing) {
      await this.o.store.insertEndpoint({
        name, workspace_id: ws.id, auth_mode: body.auth_mode ?? 'key', description: body.description ?? null,
        tags: JSON.stringify(body.tags ?? {}), properties: JSON.stringify(body.properties ?? {}),
        traffic: JSON.stringify(traffic), mirror_traffic: JSON.stringify(mirror),
        ...this.vault.seal(ws.id, name, { primaryKey: newKey(), secondaryKey: newKey() }), ignored_keys: JSON.stringify(body.ignored_keys ?? []),
        user_id: userId, created_at: now, updated_at: now,
      });
    } else {
      if (body.auth_mode && body.auth_mode !== existing.auth_mode) throw invalid(`auth_mode cannot change after an endpoint is created (it is ${existing.auth_mode}); delete and create it again`);
      await this.o.store.updateEndpoint(name, {
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.tags ? { tags: JSON.stringify(body.tags) } : {}),
        ...(body.properties ? { properties: JSON.stringify(body.properties) } : {}),
        ...(body.ignored_keys ? { ignored_keys: JSON.stringify(body.ignored_keys) } : {}),
        traffic: JSON.stringify(traffic), mirror_traffic: JSON.stringify(mirror), updated_at: now,
      });
    }
    await this.refreshLive(name);
    return this.getEndpoint(ws, name);
  }

  async deleteEndpoint(ws: WorkspaceRef, name: string): Promise<void> {
    await this.endpointRow(ws, name);
    const deployments = await this.o.store.deployments(name);
    await this.o.store.deleteEndpoint(name);
    this.live.delete(name);
    await Promise.all(deployments.map((d) => this.dropDeployment(name, d.name)));
    await rm(join(this.o.dir, name), { recursive: true, force: true });
  }

  async keys(ws: WorkspaceRef, name: string): Promise<EndpointKeys> {
    const row = await this.endpointRow(ws, name);
    if (row.auth_mode !== 'key') throw precondition(`endpoint '${name}' uses auth_mode ${row.auth_mode}: score with a Lathe token (Authorization: Bearer <token>), it has no keys`);
    return this.vault.open(row);
  }

  async regenerateKey(ws: WorkspaceRef, name: string, which: 'primary' | 'secondary', value?: string): Promise<EndpointKeys> {
    const row = await this.endpointRow(ws, name);
    if (row.auth_mode !== 'key') throw precondition(`endpoint '${name}' uses auth_mode ${row.auth_mode}; it has no keys`);
    const current = this.vault.open(row);
    const next = which === 'primary' ? { ...current, primaryKey: value ?? newKey() } : { ...current, secondaryKey: value ?? newKey() };
    await this.o.store.updateEndpoint(name, this.vault.seal(ws.id, name, next));
    await this.refreshLive(name);
    return next;
  }

  async metrics(ws: WorkspaceRef, name: string): Promise<DeploymentMetrics[]> {
    await this.endpointRow(ws, name);
    return (await this.o.store.deployments(name)).map((d) => this.liveDeployment(name, d.name).stats.snapshot(d.name));
  }

  /** Every deployment's series, for /metrics. */
  async prometheusSeries(): Promise<DeploymentSeries[]> {
    const out: DeploymentSeries[] = [];
    for (const e of this.live.values()) {
      for (const d of e.deployments.values()) {
        out.push({ workspace: e.wsName, endpoint: e.name, deployment: d.name, stats: d.stats, replicas: d.pool?.replicas.length ?? 0, replicasReady: d.pool?.readyCount ?? 0, inFlight: d.pool?.inFlight ?? 0 });
      }
    }
    return out;
  }

  // ---- deployments ----

  private async deploymentRow(ws: WorkspaceRef, endpoint: string, name: string): Promise<DeploymentRow> {
    await this.endpointRow(ws, endpoint);
    const row = await this.o.store.deployment(endpoint, name);
    if (!row) throw notFound(`deployment '${name}' not found in online endpoint '${endpoint}'`);
    return row;
  }

  private toDeployment(row: DeploymentRow): OnlineDeployment {
    const spec = json<Spec>(row.spec);
    const live = this.deployments.get(`${row.endpoint_name}/${row.name}`);
    const { request_settings, scale_settings } = resolvedSettings(spec);
    return {
      name: row.name,
      endpoint_name: row.endpoint_name,
      description: spec.description,
      tags: spec.tags,
      properties: spec.properties,
      model: spec.model?.kind === 'registered' ? `azureml:${spec.model.name}:${spec.model.version}` : spec.model ? `files:${spec.model.snapshot_id.slice(0, 12)}` : null,
      model_type: (row.model_type as OnlineDeployment['model_type']) ?? null,
      code_configuration: spec.code,
      environment: spec.environment,
      instance_count: spec.instance_count,
      environment_variables: spec.environment_variables,
      request_settings,
      scale_settings,
      data_collector: spec.data_collector,
      provisioning_state: row.state as OnlineDeployment['provisioning_state'],
      status_message: row.status_message,
      generation: row.generation,
      serving_generation: row.serving_generation,
      replicas: (live?.pool?.replicas ?? []).map((r) => ({ pid: r.worker?.pid ?? null, state: r.state, in_flight: r.inFlight, restarts: r.restarts, started_at: r.startedAt })),
      ignored_keys: spec.ignored_keys,
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    };
  }

  async listDeployments(ws: WorkspaceRef, endpoint: string): Promise<OnlineDeployment[]> {
    await this.endpointRow(ws, endpoint);
    return (await this.o.store.deployments(endpoint)).map((r) => this.toDeployment(r));
  }

  async getDeployment(ws: WorkspaceRef, endpoint: string, name: string): Promise<OnlineDeployment> {
    return this.toDeployment(await this.deploymentRow(ws, endpoint, name));
  }

  /** Check the model and code a spec names; returns the spec with the model version pinned. */
  private async resolveSpec(ws: WorkspaceRef, input: Spec): Promise<{ spec: Spec; model: { name: string; version: number } | null; modelType: 'custom_model' | 'mlflow_model' | null; mlmodel: MlModelInfo | null }> {
    let spec = input;
    let model: { name: string; version: number } | null = null;
    let modelType: 'custom_model' | 'mlflow_model' | null = null;
    let mlmodel: MlModelInfo | null = null;
    if (spec.model?.kind === 'registered') {
      const v = await this.o.models.getVersion(ws, spec.model.name, spec.model.version);
      if (!v.snapshot_id) throw precondition(`model ${v.name}:${v.version} has no files in the registry (source ${v.source}); it cannot be deployed`);
      model = { name: v.name, version: v.version };
      modelType = v.type;
      mlmodel = v.mlmodel;
      spec = { ...spec, model: { kind: 'registered', name: v.name, version: String(v.version) } };
    } else if (spec.model?.kind === 'files') {
      const snap = await this.o.snapshots.get(ws.id, spec.model.snapshot_id);
      if (spec.model.type === 'mlflow_model' && !snap.files.some((f) => f.path === 'MLmodel')) throw invalid('an mlflow_model needs an MLmodel file at the top of its folder');
      modelType = spec.model.type;
    }
    if (spec.code) {
      const snap = await this.o.snapshots.get(ws.id, spec.code.snapshot_id);
      const script = spec.code.scoring_script.replace(/^\.\//, '');
      if (!snap.files.some((f) => f.path === script)) throw invalid(`scoring_script '${spec.code.scoring_script}' is not in the code folder (it has ${snap.files.slice(0, 10).map((f) => f.path).join(', ')}${snap.files.length > 10 ? ', …' : ''})`);
      spec = { ...spec, code: { snapshot_id: spec.code.snapshot_id, scoring_script: script } };
      if (!/\.(py|js|mjs)$/.test(script)) throw invalid(`scoring_script '${script}' must be a Python (.py) or JavaScript (.js, .mjs) file`);
    } else if (modelType !== 'mlflow_model') {
      throw invalid('a deployment needs code_configuration (code and scoring_script) unless its model is an mlflow_model');
    } else if (mlmodel && !mlmodel.flavors.includes('sklearn') && !(mlmodel.raw as { flavors?: { python_function?: { loader_module?: string } } }).flavors?.python_function?.loader_module?.startsWith('mlflow.sklearn')) {
      throw invalid(`an mlflow_model deploys without a scoring script only with the sklearn flavour here; this one has ${mlmodel.flavors.join(', ') || 'no flavours'}. Add code_configuration with a score.py`);
    }
    const scale = spec.scale_settings;
    if (scale?.type === 'target_utilization' && scale.min_instances !== undefined && scale.max_instances !== undefined && scale.min_instances > scale.max_instances) {
      throw invalid(`scale_settings.min_instances (${scale.min_instances}) is above max_instances (${scale.max_instances})`);
    }
    return { spec, model, modelType, mlmodel };
  }

  /** Create or update a deployment: recorded at once, replicas started in the background. */
  async putDeployment(ws: WorkspaceRef, endpoint: string, name: string, input: Spec): Promise<OnlineDeployment> {
    await this.endpointRow(ws, endpoint);
    if (!DEPLOYMENT_NAME_PATTERN.test(name)) throw invalid(`invalid deployment name '${name}': 3–32 letters, digits and '-', starting with a letter`);
    const { spec, model, modelType } = await this.resolveSpec(ws, DeploymentSpec.parse(input));
    const existing = await this.o.store.deployment(endpoint, name);
    const now = Date.now();
    const fields = {
      spec: JSON.stringify(spec), model_name: model?.name ?? null, model_version: model?.version ?? null, model_type: modelType,
      status_message: null, updated_at: now,
    };
    if (existing) {
      await this.o.store.updateDeployment(endpoint, name, { ...fields, state: 'Updating', generation: existing.generation + 1 });
    } else {
      await this.o.store.insertDeployment({ ...fields, endpoint_name: endpoint, name, workspace_id: ws.id, state: 'Creating', generation: 1, created_at: now });
    }
    await this.refreshLive(endpoint);
    const row = (await this.o.store.deployment(endpoint, name))!;
    this.startRollout(row);
    return this.toDeployment(row);
  }

  private startRollout(row: DeploymentRow): void {
    void this.rollout(row).catch((err: Error) => this.o.log(`deployment ${row.endpoint_name}/${row.name}: ${err.message}`));
  }

  private async rollout(row: DeploymentRow): Promise<void> {
    const spec = json<Spec>(row.spec);
    const wsId = Number(row.workspace_id);
    const live = this.liveDeployment(row.endpoint_name, row.name);
    const depDir = join(this.o.dir, row.endpoint_name, row.name);
    const genName = `g${row.generation}`;
    const genDir = join(depDir, genName);
    const logDir = join(depDir, 'logs');
    try {
      await mkdir(logDir, { recursive: true });
      // Workers append to one log per deployment; past 20 MB it moves aside (one old file kept).
      const logFile = join(logDir, 'worker.log');
      if (((await stat(logFile).catch(() => null))?.size ?? 0) > 20 * 1024 * 1024) await rename(logFile, `${logFile}.1`);
      let modelFiles: { snapshot_id: string; source: string; mlmodel: MlModelInfo | null } | null = null;
      if (spec.model?.kind === 'registered') {
        const ws = { id: wsId, name: '', role: 'owner' as const };
        const v = await this.o.models.getVersion(ws, spec.model.name, spec.model.version);
        modelFiles = { snapshot_id: v.snapshot_id!, source: v.source, mlmodel: v.mlmodel };
      } else if (spec.model?.kind === 'files') {
        modelFiles = { snapshot_id: spec.model.snapshot_id, source: 'model', mlmodel: null };
      }
      const files = await materializeDeployment({ snapshots: this.o.snapshots, wsId, root: genDir, code: spec.code, model: modelFiles });
      const { request_settings, scale_settings } = resolvedSettings(spec);
      const autoscale: Autoscale | null = scale_settings.type === 'target_utilization'
        ? { min: scale_settings.min_instances, max: scale_settings.max_instances, intervalMs: scale_settings.polling_interval * 1000, targetConcurrency: scale_settings.target_concurrency }
        : null;
      const label = `${row.endpoint_name}/${row.name}`;
      // Registered per generation: generations using the same environment each hold it, and the old one's release leaves the new one's hold.
      const hostEnv = await this.hostEnvironment(wsId, spec, `${label}@${genName}`, logFile, files.codeDir ?? genDir);
      if (this.closed) {
        await hostEnv?.release();
        return;
      }
      const command = this.workerCommand(spec, files, logFile, label, hostEnv);
      await live.rollTo(row.generation, {
        command: () => command,
        instances: scale_settings.type === 'target_utilization' ? scale_settings.min_instances : spec.instance_count,
        maxConcurrentPerInstance: request_settings.max_concurrent_requests_per_instance,
        requestTimeoutMs: request_settings.request_timeout_ms,
        startTimeoutMs: Math.max(60_000, (spec.readiness_probe.initial_delay ?? 0) * 1000 + 60_000),
        log: (m) => this.o.log(`deployment ${row.endpoint_name}/${row.name}: ${m}`),
      }, { samplingRate: spec.data_collector?.sampling_rate ?? 0, autoscale, environment: hostEnv });
      await this.o.store.settle(row.endpoint_name, row.name, row.generation, 'Succeeded', null);
      await pruneGenerations(depDir, genName);
    } catch (err) {
      const message = (err as Error).message;
      if (/superseded/.test(message) || this.closed) return;
      await this.o.store.settle(row.endpoint_name, row.name, row.generation, 'Failed', `${message}${live.pool ? `; generation ${live.generation} keeps serving` : ''} (see get-logs)`).catch(() => undefined);
      throw err;
    }
  }

  /** The deployment's environment, built (or reused) on this host; null: the host's own. */
  private async hostEnvironment(wsId: number, spec: Spec, label: string, logFile: string, workingDir: string): Promise<HostEnvironment | null> {
    if (!spec.environment || !this.o.environments || !this.o.prepareEnvironment) return null;
    let environment: unknown = spec.environment;
    try {
      environment = JSON.parse(spec.environment);
    } catch {
      // a reference such as azureml:sklearn-env@latest, not an inline definition
    }
    const resolved = await this.o.environments.resolve(wsId, environment, 'local');
    if (!resolved) return null;
    const log = (line: string) => void appendFile(logFile, `[lathe] ${line}\n`).catch(() => undefined);
    return this.o.prepareEnvironment(resolved, { label, log, workingDir });
  }

  private workerCommand(spec: Spec, files: { codeDir: string | null; modelDir: string | null; mlmodel: MlModelInfo | null }, logFile: string, label: string, hostEnv: HostEnvironment | null): WorkerCommand {
    const h = this.o.hosts;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(h.baseEnv)) if (v !== undefined && !k.startsWith('LATHE_')) env[k] = v;
    // One math thread per replica unless asked otherwise: replicas, not BLAS threads, are the unit of parallelism,
    // and idle-spinning BLAS threads starve the gateway on a small host.
    for (const k of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) env[k] ??= '1';
    Object.assign(env, spec.environment_variables, {
      AZUREML_MODEL_DIR: files.modelDir ?? '',
      AZUREML_ENTRY_SCRIPT: spec.code?.scoring_script ?? '',
      LATHE_DEPLOYMENT: label,
      PYTHONUNBUFFERED: '1',
    });
    hostEnv?.apply(env);
    const cwd = files.codeDir ?? files.modelDir ?? this.o.dir;
    const script = spec.code ? join(files.codeDir!, spec.code.scoring_script) : null;
    if (script && /\.(js|mjs)$/.test(script)) {
      return { command: h.node, args: [h.nodeHost, script], env, cwd, logFile };
    }
    env.PYTHONPATH = [h.pythonPath, files.codeDir, h.baseEnv.PYTHONPATH].filter(Boolean).join(':');
    if (script) env.LATHE_SCORING_SCRIPT = script;
    else env.LATHE_SCORING_MLMODEL = JSON.stringify(files.mlmodel?.raw ?? {});
    return { command: hostEnv?.python ?? h.python, args: ['-m', 'lathe_scoring'], env, cwd, logFile };
  }

  async deleteDeployment(ws: WorkspaceRef, endpoint: string, name: string): Promise<void> {
    const e = await this.endpointRow(ws, endpoint);
    await this.deploymentRow(ws, endpoint, name);
    if ((json<Record<string, number>>(e.traffic)[name] ?? 0) > 0 || (json<Record<string, number>>(e.mirror_traffic)[name] ?? 0) > 0) {
      throw precondition(`deployment '${name}' still takes traffic on endpoint '${endpoint}'; set its traffic (and mirror_traffic) to 0 first`);
    }
    await this.o.store.deleteDeployment(endpoint, name);
    await this.refreshLive(endpoint);
    await this.dropDeployment(endpoint, name);
    await rm(join(this.o.dir, endpoint, name), { recursive: true, force: true });
  }

  private async dropDeployment(endpoint: string, name: string): Promise<void> {
    const key = `${endpoint}/${name}`;
    const d = this.deployments.get(key);
    this.deployments.delete(key);
    if (d) await d.stop();
  }

  async logs(ws: WorkspaceRef, endpoint: string, name: string, lines = 100): Promise<string> {
    await this.deploymentRow(ws, endpoint, name);
    const file = join(this.o.dir, endpoint, name, 'logs', 'worker.log');
    const fh = await open(file, 'r').catch(() => null);
    if (!fh) return '';
    try {
      const { size } = await fh.stat();
      const want = Math.min(size, 1024 * 1024);
      const buf = Buffer.alloc(want);
      await fh.read(buf, 0, want, size - want);
      const all = buf.toString('utf8').split('\n');
      if (all[all.length - 1] === '') all.pop();
      return all.slice(-lines).join('\n') + (all.length ? '\n' : '');
    } finally {
      await fh.close();
    }
  }
}
