import { z } from 'zod';
import { route } from '../route.js';
import { Ok, pageOf } from '../resources/common.js';
import { CreateModelVersion, ListModelsQuery, ListModelVersionsQuery, ModelVersion, RegisteredModel, UpdateModelVersion } from '../resources/model.js';
import { WS, Ws, WsName, WsRun } from './params.js';

const WsNameVersion = z.object({ ws: z.string(), name: z.string(), version: z.string().describe('a number, "latest", or "@alias"') });

export const modelRoutes = {
  listModels: route({ method: 'GET', path: `${WS}/models`, tag: 'models', summary: 'Registered models; filter by name (substring) and tags (key=value).', params: Ws, query: ListModelsQuery, response: pageOf(RegisteredModel) }),
  getModel: route({ method: 'GET', path: `${WS}/models/:name`, tag: 'models', summary: 'One registered model with its aliases and latest version.', params: WsName, response: RegisteredModel }),
  listModelVersions: route({ method: 'GET', path: `${WS}/models/:name/versions`, tag: 'models', summary: 'Versions of a model, newest first.', params: WsName, query: ListModelVersionsQuery, response: pageOf(ModelVersion) }),
  createModelVersion: route({ method: 'POST', path: `${WS}/models/:name/versions`, tag: 'models', summary: 'Register a new version (the model is created on first use); versions auto-increment.', params: WsName, body: CreateModelVersion, response: ModelVersion }),
  getModelVersion: route({ method: 'GET', path: `${WS}/models/:name/versions/:version`, tag: 'models', summary: 'One version, by number, "latest" or "@alias".', params: WsNameVersion, response: ModelVersion }),
  updateModelVersion: route({ method: 'PATCH', path: `${WS}/models/:name/versions/:version`, tag: 'models', summary: 'Change description, tags, stage or archived.', params: WsNameVersion, body: UpdateModelVersion, response: ModelVersion }),
  deleteModelVersion: route({ method: 'DELETE', path: `${WS}/models/:name/versions/:version`, tag: 'models', summary: 'Delete a version (refused while a live deployment uses it).', params: WsNameVersion, response: Ok }),
  listRunModels: route({ method: 'GET', path: `${WS}/runs/:run/models`, tag: 'models', summary: 'Model versions registered from this run (lineage).', params: WsRun, response: z.object({ items: z.array(ModelVersion) }) }),
} as const;
