import { z } from 'zod';
import { route } from '../route.js';
import { Ok } from '../resources/common.js';
import { Compute, CreateCompute } from '../resources/compute.js';
import { WS, Ws, WsName } from './params.js';

export const computeRoutes = {
  listComputes: route({ method: 'GET', path: `${WS}/computes`, tag: 'compute', summary: 'Compute targets with slots in use and queue length.', params: Ws, response: z.object({ items: z.array(Compute) }) }),
  createCompute: route({ method: 'POST', path: `${WS}/computes`, tag: 'compute', summary: 'Create a compute target.', params: Ws, body: CreateCompute, response: Compute }),
  getCompute: route({ method: 'GET', path: `${WS}/computes/:name`, tag: 'compute', summary: 'One compute target.', params: WsName, response: Compute }),
  deleteCompute: route({ method: 'DELETE', path: `${WS}/computes/:name`, tag: 'compute', summary: 'Delete a compute target with no active runs.', params: WsName, response: Ok }),
} as const;
