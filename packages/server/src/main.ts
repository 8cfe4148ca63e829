/**
 * The composition root: builds every service with its dependencies, picks backends by
 * URL scheme, binds the HTTP routes and starts the background work.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { JobSubmission } from '@lathe/contract';
import { openDatabase, type DialectFactory } from './db/database.js';
import { sqliteDialect } from './db/sqlite-dialect.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { localBlobStore } from './storage/local/local-blob-store.js';
import type { BlobStoreFactory } from './storage/blob-store.js';
import type { ServerConfig } from './config.js';
import { TokenService } from './auth/token-service.js';
import { UserService } from './auth/user-service.js';
import { bootstrap, serverSecret } from './auth/bootstrap.js';
import { WorkspaceService } from './workspaces/workspace-service.js';
import { workspaceHandlers } from './workspaces/workspace-routes.js';
import { PageTokens } from './paging/page-tokens.js';
import { ExperimentService } from './experiments/experiment-service.js';
import { experimentHandlers } from './experiments/experiment-routes.js';
import { MetricService } from './metrics/metric-service.js';
import { metricHandlers } from './metrics/metric-routes.js';
import { SnapshotService } from './snapshots/snapshot-service.js';
import { snapshotHandlers } from './snapshots/snapshot-routes.js';
import { ArtifactService } from './artifacts/artifact-service.js';
import { artifactHandlers } from './artifacts/artifact-routes.js';
import { LogService } from './logs/log-service.js';
import { logHandlers } from './logs/log-routes.js';
import { RunEvents } from './runs/run-events.js';
import { RunService } from './runs/run-service.js';
import { runHandlers } from './runs/run-routes.js';
import { ComputeService } from './compute/compute-service.js';
import { computeHandlers } from './compute/compute-routes.js';
import { EnvironmentService } from './environments/environment-service.js';
import { environmentHandlers } from './environments/environment-routes.js';
import { AliasMap } from './environments/alias-map.js';
import { SHIPPED_ALIASES } from './environments/curated.js';
import { ModelService } from './models/model-service.js';
import { modelHandlers } from './models/model-routes.js';
import { mlflowPlugin } from './mlflow/mlflow-plugin.js';
import { trackingRoutes } from './mlflow/mlflow-tracking.js';
import { registryRoutes } from './mlflow/mlflow-registry.js';
import { artifactProxyRoutes } from './mlflow/mlflow-artifacts.js';
import { StudioService } from './studio/studio-service.js';
import { studioHandlers } from './studio/studio-routes.js';
import { registerStudio } from './studio/studio-files.js';
import { LocalBackend } from './compute/local/local-backend.js';
import type { ComputeBackend } from './compute/compute-backend.js';
import { Scheduler } from './compute/scheduler.js';
import { Reconciler } from './compute/reconciler.js';
import { registerRoutes } from './http/register-routes.js';
import { EndpointStore } from './endpoints/endpoint-store.js';
import { EndpointService } from './endpoints/endpoint-service.js';
import { endpointHandlers } from './endpoints/endpoint-routes.js';
import { registerEndpointHttp } from './endpoints/register-endpoints.js';
import type { EndpointDb } from './endpoints/endpoint-tables.js';
import { DataCollector } from './endpoints/data-collector.js';
import { azureBlobStore } from './storage/azure-blob/azure-blob-store.js';
import { s3BlobStore } from './storage/s3/s3-blob-store.js';
import { blobOptionsFromEnv } from './storage/blob-env.js';
import { Keyring } from './secrets/master-key.js';
import { SecretService } from './secrets/secret-service.js';
import { secretHandlers } from './secrets/secret-routes.js';
import { DatastoreService } from './datastores/datastore-service.js';
import { WorkspaceDatastore } from './datastores/workspace-datastore.js';
import { datastoreHandlers } from './datastores/datastore-routes.js';
import { DataService } from './data/data-service.js';
import { dataHandlers } from './data/data-routes.js';
import type { DataDb } from './data/data-tables.js';
import { installErrorHandler } from './http/error-handler.js';
import type { Handlers } from './http/handler.js';

export const DATABASE_DIALECTS: Readonly<Record<string, DialectFactory>> = { sqlite: sqliteDialect };
export const BLOB_STORES: Readonly<Record<string, BlobStoreFactory>> = { file: localBlobStore, azblob: azureBlobStore, wasbs: azureBlobStore, s3: s3BlobStore };

export interface RunningServer {
  /** e.g. http://127.0.0.1:5252 */
  readonly url: string;
  readonly port: number;
  readonly credentialsFile: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const { db, close: closeDb } = await openDatabase(config.databaseUrl, DATABASE_DIALECTS);
  const blobs = await openBlobStore(config.blobUrl, BLOB_STORES, blobOptionsFromEnv(config.baseEnv));
  const pages = new PageTokens(await serverSecret(db, 'page_token_secret'));

  const tokens = new TokenService(db);
  const users = new UserService(db, tokens);
  const computes = new ComputeService(db, config.localSlots);
  const workspaces = new WorkspaceService(db, (ws) => computes.ensureLocal(ws.id));
  const experiments = new ExperimentService(db, pages);
  const metrics = new MetricService(db, pages);
  const snapshots = new SnapshotService(db, blobs);
  const artifacts = new ArtifactService(db, blobs, pages);
  const logs = new LogService(db);
  const environments: EnvironmentService = new EnvironmentService({
    db, pages, aliases: new AliasMap(join(config.dataDir, 'environment-aliases.json'), SHIPPED_ALIASES),
    submitJob: (ws, userId, job) => runs.submit(ws, userId, job),
  });
  // The vault's master key lives outside the database: the environment, else a 0600 key file.
  const keyring = config.baseEnv.LATHE_MASTER_KEY
    ? Keyring.fromEnvironment(config.baseEnv.LATHE_MASTER_KEY, config.baseEnv.LATHE_MASTER_KEY_PREVIOUS)
    : await Keyring.fromFile(join(config.dataDir, 'master.key'));
  const dataDb = db as unknown as DataDb;
  // Endpoint keys are sealed under the same master key: a rotation re-encrypts them too.
  const secrets = new SecretService(dataDb, keyring, [{ reencryptAll: () => endpoints.reencryptKeys() }]);
  await secrets.reencryptAll();
  const datastores = new DatastoreService({ db: dataDb, secrets, stores: BLOB_STORES, workspaceStore: (wsId) => new WorkspaceDatastore(wsId, dataDb, snapshots, artifacts) });
  const data = new DataService({ db: dataDb, datastores, snapshots, pages, tmpDir: join(config.dataDir, 'tmp') });
  const runs: RunService = new RunService(db, experiments, metrics, snapshots, computes, pages, new RunEvents(), environments, {
    resolve: async (wsId, job) => {
      await secrets.checkJobReferences(wsId, job.environment_variables);
      return data.resolveInputs(wsId, job);
    },
    submitted: (wsId, runId, job) => data.recordInputs(wsId, runId, job),
  });
  const models: ModelService = new ModelService(db, snapshots, artifacts, pages, (wsId, name, version) => endpoints.modelUsage(wsId, name, version));
  const endpoints: EndpointService = new EndpointService({
    store: new EndpointStore(db as unknown as EndpointDb),
    keyring,
    models,
    snapshots,
    collector: new DataCollector(blobs, config.log),
    dir: join(config.dataDir, 'endpoints'),
    hosts: {
      python: config.baseEnv.LATHE_SCORING_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
      pythonPath: config.pythonPath ?? '',
      node: process.execPath,
      nodeHost: fileURLToPath(new URL('./endpoints/node-scoring-host.js', import.meta.url)),
      baseEnv: config.baseEnv,
    },
    baseUrl: () => url,
    workspaceName: async (id) => (await db.selectFrom('workspaces').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name,
    log: config.log,
    environments,
    prepareEnvironment: config.prepareHostEnvironment,
  });
  await endpoints.reencryptKeys();

  const localBackend = new LocalBackend({
    agentCommand: config.agentCommand,
    workRoot: join(config.dataDir, 'runs'),
    agentLogDir: join(config.dataDir, 'agent-logs'),
    baseEnv: config.baseEnv,
    pythonPath: config.pythonPath,
  });
  const backends: Record<string, ComputeBackend> = { local: localBackend };
  const typeOfCompute = async (wsId: number, name: string | null) =>
    (await db.selectFrom('computes').select('type').where('workspace_id', '=', wsId).where('name', '=', name ?? '').executeTakeFirst())?.type;

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true });
  // Uploads reach handlers as the raw request stream: nothing is buffered whole.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  installErrorHandler(app, config.log);

  const handlers: Handlers = {
    ...workspaceHandlers({ workspaces, users, version: config.version }),
    ...experimentHandlers(experiments),
    ...runHandlers({
      runs,
      tokens,
      stopAgent: async (row) => {
        const type = await typeOfCompute(Number(row.workspace_id), row.compute);
        if (row.agent_pid !== null && type) await backends[type]?.stop(row.agent_pid, row.id);
      },
    }),
    ...metricHandlers({ metrics, runs }),
    ...artifactHandlers({ artifacts, runs }),
    ...logHandlers({ logs, runs }),
    ...snapshotHandlers(snapshots),
    ...computeHandlers(computes),
    ...environmentHandlers(environments),
    ...modelHandlers({ models, runs }),
    ...studioHandlers(new StudioService(db, experiments, metrics)),
    ...endpointHandlers(endpoints),
    ...secretHandlers(secrets),
    ...datastoreHandlers(datastores),
    ...dataHandlers({ data, runs }),
  };
  await mlflowPlugin(app, {
    routes: [
      ...trackingRoutes({ db, experiments, runs, metrics, artifacts }),
      ...registryRoutes({ models, runs }),
      ...artifactProxyRoutes({ db, artifacts, runs, models, snapshots, blobs, secret: await serverSecret(db, 'mpu_signing_secret') }),
    ],
    runWithin: (id, root) => runs.isWithin(id, root),
    tokens,
    workspaces,
    log: config.log,
  });
  registerRoutes(app, handlers, { tokens, workspaces, runWithin: (id, root) => runs.isWithin(id, root) });
  await registerEndpointHttp(app, { endpoints, tokens, workspaces, bodyLimit: 64 * 1024 * 1024 });
  if (config.studioDir) registerStudio(app, config.studioDir);

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;

  const { credentialsFile } = await bootstrap({ db, users, tokens, workspaces, latheHome: config.latheHome, url });
  for (const ws of await db.selectFrom('workspaces').select('id').execute()) await computes.ensureLocal(Number(ws.id));

  // Runs that finish give up their tokens.
  // Completed jobs: outputs that declare a name become data asset versions (lineage: produced by the job).
  runs.events.on('status', (id, wsId, status, isJob) => {
    if (status !== 'Completed' || !isJob) return;
    void (async () => {
      const row = await db.selectFrom('runs').select(['job', 'user_id']).where('id', '=', id).executeTakeFirst();
      if (!row?.job) return;
      await data.registerOutputs(wsId, Number(row.user_id), id, JSON.parse(row.job) as JobSubmission);
    })().catch((err: unknown) => config.log(`job ${id}: registering its outputs as data assets failed: ${(err as Error).message}`));
  });
  runs.events.on('status', (id, _ws, status, isJob) => {
    if (isJob && (status === 'Completed' || status === 'Failed' || status === 'Canceled')) void tokens.revokeRunTokens(id).catch(() => undefined);
  });

  const reconciler = new Reconciler({ db, runs, backends, intervalMs: config.tickMs ? config.tickMs * 2 : undefined, log: config.log });
  await reconciler.atStartup();
  const scheduler = new Scheduler({ db, runs, computes, tokens, backends, apiUrl: () => url, intervalMs: config.tickMs, log: config.log });
  scheduler.start();
  reconciler.start();
  await endpoints.startAll();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    credentialsFile,
    close: () =>
      (closing ??= (async () => {
        scheduler.stop();
        reconciler.stop();
        await scheduler.idle();
        localBackend.close();
        await endpoints.stopAll();
        await app.close();
        await closeDb();
      })()),
  };
}
