/**
 * The composition root: builds every service with its dependencies, picks backends by
 * URL scheme, binds the HTTP routes and starts the background work.
 */
import { join } from 'node:path';
import Fastify from 'fastify';
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
import { installErrorHandler } from './http/error-handler.js';
import type { Handlers } from './http/handler.js';

export const DATABASE_DIALECTS: Readonly<Record<string, DialectFactory>> = { sqlite: sqliteDialect };
export const BLOB_STORES: Readonly<Record<string, BlobStoreFactory>> = { file: localBlobStore };

export interface RunningServer {
  /** e.g. http://127.0.0.1:5252 */
  readonly url: string;
  readonly port: number;
  readonly credentialsFile: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const { db, close: closeDb } = await openDatabase(config.databaseUrl, DATABASE_DIALECTS);
  const blobs = await openBlobStore(config.blobUrl, BLOB_STORES);
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
  const runs: RunService = new RunService(db, experiments, metrics, snapshots, computes, pages, new RunEvents(), environments);
  const models = new ModelService(db, snapshots, artifacts, pages);

  const backends: Record<string, ComputeBackend> = {
    local: new LocalBackend({
      agentCommand: config.agentCommand,
      workRoot: join(config.dataDir, 'runs'),
      agentLogDir: join(config.dataDir, 'agent-logs'),
      baseEnv: config.baseEnv,
      pythonPath: config.pythonPath,
    }),
  };
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
  if (config.studioDir) registerStudio(app, config.studioDir);

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;

  const { credentialsFile } = await bootstrap({ db, users, tokens, workspaces, latheHome: config.latheHome, url });
  for (const ws of await db.selectFrom('workspaces').select('id').execute()) await computes.ensureLocal(Number(ws.id));

  // Runs that finish give up their tokens.
  runs.events.on('status', (id, _ws, status) => {
    if (status === 'Completed' || status === 'Failed' || status === 'Canceled') void tokens.revokeRunTokens(id).catch(() => undefined);
  });

  const reconciler = new Reconciler({ db, runs, backends, intervalMs: config.tickMs ? config.tickMs * 2 : undefined, log: config.log });
  await reconciler.atStartup();
  const scheduler = new Scheduler({ db, runs, computes, tokens, backends, apiUrl: () => url, intervalMs: config.tickMs, log: config.log });
  scheduler.start();
  reconciler.start();

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
        await app.close();
        await closeDb();
      })()),
  };
}
