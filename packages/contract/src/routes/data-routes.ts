import { z } from 'zod';
import { route } from '../route.js';
import { pageOf } from '../resources/common.js';
import { CreateDataVersion, DataCheck, DataLineage, DataVersion, DataVersionSummary } from '../resources/data-asset.js';
import { WS, Ws, WsName, WsRun } from './params.js';

const WsNameVersion = z.object({ ws: z.string(), name: z.string(), version: z.string().describe('a number or "latest"') });
const ListQuery = z.object({ name: z.string().optional(), max_results: z.coerce.number().int().min(1).max(1000).optional(), page_token: z.string().optional() });

export const dataRoutes = {
  listData: route({ method: 'GET', path: `${WS}/data`, tag: 'data', summary: 'The latest version of each data asset.', params: Ws, query: ListQuery, response: pageOf(DataVersionSummary) }),
  listDataVersions: route({ method: 'GET', path: `${WS}/data/:name/versions`, tag: 'data', summary: 'Versions of a data asset, newest first.', params: WsName, query: ListQuery, response: pageOf(DataVersionSummary) }),
  createDataVersion: route({ method: 'POST', path: `${WS}/data/:name/versions`, tag: 'data', summary: 'Register a version; its metadata snapshot (files, hashes/ETags, table profile) is taken now.', params: WsName, body: CreateDataVersion, response: DataVersion }),
  getDataVersion: route({ method: 'GET', path: `${WS}/data/:name/versions/:version`, tag: 'data', summary: 'One version with its metadata snapshot.', params: WsNameVersion, response: DataVersion }),
  checkDataVersion: route({ method: 'GET', path: `${WS}/data/:name/versions/:version/check`, tag: 'data', summary: 'Compare the files now with the metadata snapshot.', params: WsNameVersion, response: DataCheck }),
  getDataLineage: route({ method: 'GET', path: `${WS}/data/:name/versions/:version/lineage`, tag: 'data', summary: 'The run that produced this version and the runs that read it.', params: WsNameVersion, response: z.object({ items: z.array(DataLineage) }) }),
  listRunData: route({ method: 'GET', path: `${WS}/runs/:run/data`, tag: 'data', summary: 'Data versions a run read and produced.', params: WsRun, response: z.object({ items: z.array(DataLineage) }) }),
} as const;
