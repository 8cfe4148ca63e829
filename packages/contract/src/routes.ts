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

export const routes = {
  ...workspaceRoutes,
  ...runRoutes,
  ...snapshotRoutes,
  ...computeRoutes,
  ...environmentRoutes,
  ...modelRoutes,
  ...studioRoutes,
} as const;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
