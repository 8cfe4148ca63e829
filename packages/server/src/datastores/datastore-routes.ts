import type { Handlers } from '../http/handler.js';
import type { DatastoreService } from './datastore-service.js';

type Ops = 'listDatastores' | 'createDatastore' | 'getDatastore' | 'listDatastoreFiles' | 'downloadDatastoreFile';

export function datastoreHandlers(datastores: DatastoreService): Pick<Handlers, Ops> {
  return {
    listDatastores: async (_i, ctx) => ({ items: await datastores.list(ctx.ws) }),
    createDatastore: async ({ body }, ctx) => datastores.create(ctx.ws, ctx.principal.userId, body),
    getDatastore: async ({ params }, ctx) => datastores.get(ctx.ws, params.name),
    listDatastoreFiles: async ({ params, query }, ctx) => ({ items: await datastores.listFiles(ctx.ws, params.name, query.prefix, query.max_results) }),
    downloadDatastoreFile: async ({ params, query }, ctx) => ({
      stream: await datastores.download(ctx.ws, params.name, query.path),
      contentType: 'application/octet-stream',
      fileName: query.path.split('/').pop(),
    }),
  };
}
