import { z } from 'zod';
import { route } from '../route.js';
import { BlobPackResult, CreateSnapshot, MissingBlobs, MissingBlobsRequest, Snapshot } from '../resources/snapshot.js';
import { WS, Ws } from './params.js';

export const snapshotRoutes = {
  findMissingBlobs: route({ method: 'POST', path: `${WS}/blobs/missing`, tag: 'snapshots', summary: 'Which of these content hashes the server does not hold.', params: Ws, body: MissingBlobsRequest, response: MissingBlobs }),
  uploadBlob: route({ method: 'PUT', path: `${WS}/blobs/:sha256`, tag: 'snapshots', summary: 'Upload one content-addressed blob (streamed, verified).', params: z.object({ ws: z.string(), sha256: z.string() }), stream: 'upload', response: z.object({ sha256: z.string(), size: z.number().int() }) }),
  uploadBlobStreamed: route({ method: 'POST', path: `${WS}/blobs`, tag: 'snapshots', summary: 'Upload one large blob whose hash the client computes on the way: the server hashes it too, stores it under its content address and answers that address.', params: Ws, stream: 'upload', response: z.object({ sha256: z.string(), size: z.number().int() }) }),
  uploadBlobPack: route({ method: 'POST', path: `${WS}/blobs/pack`, tag: 'snapshots', summary: 'Upload many small content-addressed blobs in one body (see BLOB_PACK); all are verified before any is stored.', params: Ws, stream: 'upload', response: BlobPackResult }),
  downloadBlob: route({ method: 'GET', path: `${WS}/blobs/:sha256`, tag: 'snapshots', summary: 'Download one content-addressed blob.', params: z.object({ ws: z.string(), sha256: z.string() }), stream: 'download' }),
  createSnapshot: route({ method: 'POST', path: `${WS}/snapshots`, tag: 'snapshots', summary: 'Record a snapshot manifest whose blobs are all uploaded.', params: Ws, body: CreateSnapshot, response: Snapshot }),
  getSnapshot: route({ method: 'GET', path: `${WS}/snapshots/:id`, tag: 'snapshots', summary: 'A snapshot\'s manifest.', params: z.object({ ws: z.string(), id: z.string() }), response: Snapshot }),
} as const;
