import { z } from 'zod';
import { route } from '../route.js';
import { pageOf } from '../resources/common.js';
import { Run } from '../resources/run.js';
import {
  BuildEnvironmentRequest, CreateEnvironment, Environment, EnvironmentAlias, ListEnvironmentsQuery, ResolvedEnvironment,
  ResolveEnvironmentRequest,
} from '../resources/environment.js';
import { WS, Ws } from './params.js';

/** `latest` or a version number. */
const WsEnvVersion = z.object({ ws: z.string(), name: z.string(), version: z.string() });

export const environmentRoutes = {
  listEnvironments: route({ method: 'GET', path: `${WS}/environments`, tag: 'environments', summary: 'The latest version of each environment (curated ones included), or every version of one name.', params: Ws, query: ListEnvironmentsQuery, response: pageOf(Environment) }),
  createEnvironment: route({ method: 'POST', path: `${WS}/environments`, tag: 'environments', summary: 'Create an environment version (the next number unless given; an unchanged spec returns the latest).', params: Ws, body: CreateEnvironment, response: Environment }),
  getEnvironment: route({ method: 'GET', path: `${WS}/environments/:name/versions/:version`, tag: 'environments', summary: 'One environment version (`latest` for the newest).', params: WsEnvVersion, response: Environment }),
  resolveEnvironment: route({ method: 'POST', path: `${WS}/environments/resolve`, tag: 'environments', summary: 'Resolve a job\'s `environment` (reference, curated or Azure ML name, inline definition) as a submit would.', params: Ws, body: ResolveEnvironmentRequest, response: ResolvedEnvironment }),
  buildEnvironment: route({ method: 'POST', path: `${WS}/environments/:name/versions/:version/build`, tag: 'environments', summary: 'Materialise an environment on a compute now: a run whose log is the build log.', params: WsEnvVersion, body: BuildEnvironmentRequest, response: Run }),
  listEnvironmentAliases: route({ method: 'GET', path: `${WS}/environment-aliases`, tag: 'environments', summary: 'The alias map from Azure ML curated names to Lathe environments (shipped and user entries).', params: Ws, response: z.object({ items: z.array(EnvironmentAlias), file: z.string().nullable() }) }),
} as const;
