import type { Readable } from 'node:stream';
import type { Handlers } from '../http/handler.js';
import type { ArtifactService } from './artifact-service.js';
import type { RunService } from '../runs/run-service.js';

export function artifactHandlers(d: { artifacts: ArtifactService; runs: RunService }): Pick<Handlers, 'listArtifacts' | 'uploadArtifact' | 'downloadArtifact'> {
  const run = async (wsId: number, id: string) => (await d.runs.row(wsId, id)).id;
  return {
    listArtifacts: async ({ params, query }, ctx) => d.artifacts.list(await run(ctx.ws.id, params.run), query),
    uploadArtifact: async ({ params, query }, ctx) => d.artifacts.upload(await run(ctx.ws.id, params.run), query.path, ctx.request.body as Readable),
    downloadArtifact: async ({ params, query }, ctx) => {
      const { stream, size } = await d.artifacts.download(await run(ctx.ws.id, params.run), query.path);
      return { stream, size, contentType: 'application/octet-stream', fileName: query.path.split('/').pop() };
    },
  };
}
