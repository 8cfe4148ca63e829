import { z } from 'zod';
import { route } from '../route.js';
import { Ok } from '../resources/common.js';
import {
  CollectedQuery, CollectedRecord, DeploymentLogs, DeploymentMetrics, DeploymentSpec, EndpointKeys, LogsQuery, OnlineDeployment, OnlineEndpoint, PutEndpoint, RegenerateKeys,
} from '../resources/endpoint.js';
import { WS, Ws } from './params.js';

const WsEndpoint = z.object({ ws: z.string(), endpoint: z.string() });
const WsDeployment = z.object({ ws: z.string(), endpoint: z.string(), deployment: z.string() });
const E = `${WS}/online-endpoints/:endpoint`;

/**
 * Online endpoints and deployments (management). Scoring itself (`POST /endpoints/{name}/score`)
 * is the gateway's, outside this table: it takes endpoint keys and raw bodies.
 */
export const endpointRoutes = {
  listOnlineEndpoints: route({ method: 'GET', path: `${WS}/online-endpoints`, tag: 'endpoints', summary: 'Online endpoints of the workspace.', params: Ws, response: z.object({ items: z.array(OnlineEndpoint) }) }),
  putOnlineEndpoint: route({ method: 'PUT', path: E, tag: 'endpoints', summary: 'Create an endpoint or update it (traffic, mirror traffic, description, tags). Keys are made on creation.', params: WsEndpoint, body: PutEndpoint, response: OnlineEndpoint }),
  getOnlineEndpoint: route({ method: 'GET', path: E, tag: 'endpoints', summary: 'One endpoint: scoring URI, traffic, state.', params: WsEndpoint, response: OnlineEndpoint }),
  deleteOnlineEndpoint: route({ method: 'DELETE', path: E, tag: 'endpoints', summary: 'Delete an endpoint and all its deployments (their replicas stop).', params: WsEndpoint, response: Ok }),
  listOnlineEndpointKeys: route({ method: 'POST', path: `${E}/list-keys`, tag: 'endpoints', summary: 'The primary and secondary keys (auth_mode key).', params: WsEndpoint, response: EndpointKeys }),
  regenerateOnlineEndpointKeys: route({ method: 'POST', path: `${E}/regenerate-keys`, tag: 'endpoints', summary: 'Replace the primary or secondary key; the old one stops working at once.', params: WsEndpoint, body: RegenerateKeys, response: EndpointKeys }),
  getOnlineEndpointMetrics: route({ method: 'GET', path: `${E}/metrics`, tag: 'endpoints', summary: 'Per deployment: requests, errors, 429s, timeouts and latency percentiles per minute (last hour).', params: WsEndpoint, response: z.object({ items: z.array(DeploymentMetrics) }) }),
  listOnlineDeployments: route({ method: 'GET', path: `${E}/deployments`, tag: 'endpoints', summary: 'Deployments of an endpoint with their replicas.', params: WsEndpoint, response: z.object({ items: z.array(OnlineDeployment) }) }),
  putOnlineDeployment: route({ method: 'PUT', path: `${E}/deployments/:deployment`, tag: 'endpoints', summary: 'Create or update a deployment; returns at once (Creating/Updating); new replicas replace old ones only once ready.', params: WsDeployment, body: DeploymentSpec, response: OnlineDeployment }),
  getOnlineDeployment: route({ method: 'GET', path: `${E}/deployments/:deployment`, tag: 'endpoints', summary: 'One deployment: state, replicas, settings.', params: WsDeployment, response: OnlineDeployment }),
  deleteOnlineDeployment: route({ method: 'DELETE', path: `${E}/deployments/:deployment`, tag: 'endpoints', summary: 'Delete a deployment (refused while it takes live or mirrored traffic).', params: WsDeployment, response: Ok }),
  getOnlineDeploymentLogs: route({ method: 'GET', path: `${E}/deployments/:deployment/logs`, tag: 'endpoints', summary: 'The scoring workers\' console output (tail).', params: WsDeployment, query: LogsQuery, response: DeploymentLogs }),
  getOnlineDeploymentData: route({ method: 'GET', path: `${E}/deployments/:deployment/collected-data`, tag: 'endpoints', summary: 'The newest sampled requests and answers (data_collector), oldest first.', params: WsDeployment, query: CollectedQuery, response: z.object({ items: z.array(CollectedRecord) }) }),
} as const;
