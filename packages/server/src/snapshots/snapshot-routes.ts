import type { Readable } from 'node:stream';
import type { Handlers } from '../http/handler.js';
import type { SnapshotService } from './snapshot-service.js';

type Ops = 'findMissingBlobs' | 'uploadBlob' | 'uploadBlobStreamed' | 'uploadBlobPack' | 'downloadBlob' | 'createSnapshot' | 'getSnapshot';

export function snapshotHandlers(snapshots: SnapshotService): Pick<Handlers, Ops> {
  return {
    findMissingBlobs: async ({ body }, ctx) => ({
      missing: await snapshots.missing(ctx.ws.id, body.hashes),
      ...(body.sizes ? { known_sizes: await snapshots.knownSizes(ctx.ws.id, body.sizes) } : {}),
    }),
    uploadBlob: async ({ params }, ctx) => snapshots.uploadBlob(ctx.ws.id, params.sha256, ctx.request.body as Readable),
    uploadBlobStreamed: async (_input, ctx) => snapshots.uploadStreamed(ctx.ws.id, ctx.request.body as Readable),
    uploadBlobPack: async (_input, ctx) => snapshots.uploadPack(ctx.ws.id, ctx.request.body as Readable),
    downloadBlob: async ({ params }, ctx) => ({ stream: await snapshots.downloadBlob(ctx.ws.id, params.sha256), contentType: 'application/octet-stream' }),
    createSnapshot: async ({ body }, ctx) => snapshots.create(ctx.ws.id, body.files),
    getSnapshot: async ({ params }, ctx) => snapshots.get(ctx.ws.id, params.id),
  };
}
