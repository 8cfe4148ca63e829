/**
 * The route table: every operation of the /api/v1 surface, with its schemas. The server
 * registers handlers against it, the SDK calls through it, and OpenAPI is generated from
 * it. Each area keeps its operations in its own file under routes/.
 */
import { workspaceRoutes } from './routes/workspace-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { snapshotRoutes } from './routes/snapshot-routes.js';
import { computeRoutes } from './routes/compute-routes.js';
import { environmentRoutes } from './routes/environment-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { studioRoutes } from './routes/studio-routes.js';
import { endpointRoutes } from './routes/endpoint-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { datastoreRoutes } from './routes/datastore-routes.js';
import { dataRoutes } from './routes/data-routes.js';

export const routes = {
  ...workspaceRoutes,
  ...runRoutes,
  ...snapshotRoutes,
  ...computeRoutes,
  ...environmentRoutes,
  ...modelRoutes,
  ...studioRoutes,
  ...endpointRoutes,
  ...secretRoutes,
  ...datastoreRoutes,
  ...dataRoutes,
} as const;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
