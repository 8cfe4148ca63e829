import { z } from 'zod';
import { route } from '../route.js';
import { Datastore, DatastoreFile, DatastoreFilePath, DatastoreYaml, ListDatastoreFilesQuery } from '../resources/datastore.js';
import { WS, Ws, WsName } from './params.js';

export const datastoreRoutes = {
  listDatastores: route({ method: 'GET', path: `${WS}/datastores`, tag: 'datastores', summary: 'Datastores, the default one first; credentials shown as secret references.', params: Ws, response: z.object({ items: z.array(Datastore) }) }),
  createDatastore: route({ method: 'POST', path: `${WS}/datastores`, tag: 'datastores', summary: 'Create or update a datastore; its connection is checked first.', params: Ws, body: DatastoreYaml, response: Datastore }),
  getDatastore: route({ method: 'GET', path: `${WS}/datastores/:name`, tag: 'datastores', summary: 'One datastore.', params: WsName, response: Datastore }),
  listDatastoreFiles: route({ method: 'GET', path: `${WS}/datastores/:name/files`, tag: 'datastores', summary: 'Files under a prefix.', params: WsName, query: ListDatastoreFilesQuery, response: z.object({ items: z.array(DatastoreFile) }) }),
  downloadDatastoreFile: route({ method: 'GET', path: `${WS}/datastores/:name/content`, tag: 'datastores', summary: 'One file, streamed.', params: WsName, query: DatastoreFilePath, stream: 'download' }),
} as const;
