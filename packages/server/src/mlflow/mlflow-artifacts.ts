import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { MlflowRequests as M, LatheError, notFound } from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { RunService } from '../runs/run-service.js';
import type { ModelService } from '../models/model-service.js';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import { safeRelativePath } from '../artifacts/artifact-path.js';
import { mlflowRoute, type MlflowContext, type MlflowRoute } from './mlflow-route.js';
import { mlflowError } from './mlflow-error.js';
import { listChildren } from './mlflow-tracking.js';

export interface ArtifactProxyDeps {
  db: Db;
  artifacts: ArtifactService;
  runs: RunService;
  models: ModelService;
  snapshots: SnapshotService;
  blobs: BlobStore;
  /** Signs multipart part URLs, which are used without a token (as presigned URLs are). */
  secret: string;
}

type Target = { kind: 'run'; runId: string; path: string } | { kind: 'model'; name: string; version: string; path: string };

/**
 * The proxy's paths name what they hold: `<experiment>/<run>/artifacts/<path>` for a run's
 * files (as MLflow lays them out), `models/<name>/<version>/<path>` for registered models.
 */
export function target(raw: string): Target {
  const path = raw.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path) safeRelativePath(path, 'artifact path');
  let m = /^[^/]+\/([^/]+)\/artifacts(?:\/(.*))?$/.exec(path);
  if (m && !path.startsWith('models/')) return { kind: 'run', runId: m[1]!, path: m[2] ?? '' };
  m = /^models\/([^/]+)\/(\d+)(?:\/(.*))?$/.exec(path);
  if (m) return { kind: 'model', name: decodeURIComponent(m[1]!), version: m[2]!, path: m[3] ?? '' };
  throw mlflowError('INVALID_PARAMETER_VALUE', `artifact path '${raw}' is not a run's (<experiment_id>/<run_id>/artifacts/<path>) or a model's (models/<name>/<version>/<path>)`);
}

export function artifactProxyRoutes(d: ArtifactProxyDeps): MlflowRoute[] {
  const runIn = async (ws: WorkspaceRef, runId: string) => {
    try {
      return (await d.runs.row(ws.id, runId)).id;
    } catch {
      throw notFound(`Run with id=${runId} not found`);
    }
  };
  const sign = (uploadId: string, part: number) => createHmac('sha256', d.secret).update(`${uploadId}:${part}`).digest('hex');
  const wildcard = (ctx: MlflowContext) => decodeURIComponent((ctx.request.params as { '*': string })['*'] ?? '');

  return [
    mlflowRoute({
      methods: ['GET'], path: '/mlflow-artifacts/artifacts', access: 'read', input: M.listArtifacts,
      handle: async (i, ctx) => {
        const t = target(i.path ?? '');
        if (t.kind === 'run') {
          const files = await listChildren(d.artifacts, await runIn(ctx.ws, t.runId), t.path);
          return { files: files.map((f) => ({ path: f.name, is_dir: f.isDir, ...(f.isDir ? {} : { file_size: f.size }) })) };
        }
        const snap = await d.models.snapshotOf(ctx.ws, t.name, t.version);
        const prefix = t.path ? `${t.path}/` : '';
        const seen = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
        for (const f of snap.files) {
          if (!f.path.startsWith(prefix)) continue;
          const rest = f.path.slice(prefix.length);
          const slash = rest.indexOf('/');
          const name = slash < 0 ? rest : rest.slice(0, slash);
          if (!seen.has(name)) seen.set(name, slash < 0 ? { path: name, is_dir: false, file_size: f.size } : { path: name, is_dir: true });
        }
        return { files: [...seen.values()] };
      },
    }),
    mlflowRoute({
      methods: ['GET'], path: '/mlflow-artifacts/artifacts/*', access: 'read',
      handle: async (_i, ctx) => {
        const t = target(wildcard(ctx));
        let stream: Readable;
        let size: number;
        if (t.kind === 'run') {
          ({ stream, size } = await d.artifacts.download(await runIn(ctx.ws, t.runId), t.path));
        } else {
          const snap = await d.models.snapshotOf(ctx.ws, t.name, t.version);
          const file = snap.files.find((f) => f.path === t.path);
          if (!file) throw notFound(`model ${t.name} version ${t.version} has no file '${t.path}'`);
          stream = await d.snapshots.downloadBlob(ctx.ws.id, file.sha256);
          size = file.size;
        }
        void ctx.reply.header('content-type', 'application/octet-stream').header('content-length', size);
        return ctx.reply.send(stream);
      },
    }),
    mlflowRoute({
      methods: ['PUT'], path: '/mlflow-artifacts/artifacts/*', access: 'write', body: 'raw', runTokens: 'path',
      handle: async (_i, ctx) => {
        const t = target(wildcard(ctx));
        if (t.kind !== 'run' || !t.path) throw mlflowError('INVALID_PARAMETER_VALUE', 'artifacts are uploaded to a run: <experiment_id>/<run_id>/artifacts/<path>');
        await d.artifacts.upload(await runIn(ctx.ws, t.runId), t.path, ctx.request.raw);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['DELETE'], path: '/mlflow-artifacts/artifacts/*', access: 'write', runTokens: 'path',
      handle: async (_i, ctx) => {
        const t = target(wildcard(ctx));
        if (t.kind !== 'run' || !t.path) throw mlflowError('INVALID_PARAMETER_VALUE', 'only a run\'s artifacts can be deleted');
        const runId = await runIn(ctx.ws, t.runId);
        const children = await listChildren(d.artifacts, runId, t.path);
        if (children.length) {
          // A folder: delete everything under it.
          let token: string | undefined;
          const paths: string[] = [];
          do {
            const page = await d.artifacts.list(runId, { prefix: `${t.path}/`, max_results: 1000, page_token: token });
            paths.push(...page.items.map((a) => a.path));
            token = page.next_page_token ?? undefined;
          } while (token);
          for (const p of paths) await d.artifacts.delete(runId, p);
        } else {
          await d.artifacts.delete(runId, t.path);
        }
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow-artifacts/mpu/create/*', access: 'write', runTokens: 'path', input: M.mpuCreate,
      handle: async (i, ctx) => {
        const t = target(wildcard(ctx));
        if (t.kind !== 'run' || !t.path) throw mlflowError('INVALID_PARAMETER_VALUE', 'multipart uploads go to a run: <experiment_id>/<run_id>/artifacts/<path>');
        if (i.num_parts < 1 || i.num_parts > 10_000) throw mlflowError('INVALID_PARAMETER_VALUE', `num_parts must be between 1 and 10000, got ${i.num_parts}`);
        const runId = await runIn(ctx.ws, t.runId);
        const uploadId = randomUUID();
        await d.db.insertInto('multipart_uploads').values({ id: uploadId, workspace_id: ctx.ws.id, run_id: runId, path: t.path, num_parts: i.num_parts, created_at: Date.now() }).execute();
        const base = `${ctx.request.protocol}://${ctx.request.headers.host}${ctx.request.url.startsWith('/ajax-api') ? '/ajax-api' : '/api'}/2.0/mlflow-artifacts/mpu/part`;
        return {
          upload_id: uploadId,
          credentials: Array.from({ length: i.num_parts }, (_, k) => ({ part_number: k + 1, url: `${base}/${uploadId}/${k + 1}?signature=${sign(uploadId, k + 1)}` })),
        };
      },
    }),
    mlflowRoute({
      methods: ['PUT'], path: '/mlflow-artifacts/mpu/part/:upload/:part', access: 'write', body: 'raw', auth: 'none',
      handle: async (_i, ctx) => {
        const { upload, part } = ctx.request.params as { upload: string; part: string };
        const given = Buffer.from(String((ctx.request.query as { signature?: string }).signature ?? ''));
        const expected = Buffer.from(sign(upload, Number(part)));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LatheError('PERMISSION_DENIED', 'invalid or missing signature on a multipart part URL');
        const row = await d.db.selectFrom('multipart_uploads').select('num_parts').where('id', '=', upload).executeTakeFirst();
        if (!row) throw notFound(`multipart upload ${upload} not found (completed or aborted)`);
        const n = Number(part);
        if (!Number.isInteger(n) || n < 1 || n > row.num_parts) throw mlflowError('INVALID_PARAMETER_VALUE', `part_number must be between 1 and ${row.num_parts}`);
        const put = await d.blobs.put(`mpu/${upload}/${n}`, ctx.request.raw);
        void ctx.reply.header('etag', `"${put.sha256}"`);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow-artifacts/mpu/complete/*', access: 'write', runTokens: 'path', input: M.mpuComplete,
      handle: async (i, ctx) => {
        const row = await d.db.selectFrom('multipart_uploads').selectAll().where('id', '=', i.upload_id).where('workspace_id', '=', ctx.ws.id).executeTakeFirst();
        if (!row) throw notFound(`multipart upload ${i.upload_id} not found`);
        const parts = [...i.parts].sort((a, b) => a.part_number - b.part_number).map((p) => p.part_number);
        for (const p of parts) if (!(await d.blobs.exists(`mpu/${row.id}/${p}`))) throw mlflowError('INVALID_PARAMETER_VALUE', `part ${p} of upload ${row.id} was not uploaded`);
        const joined = new PassThrough();
        const pump = (async () => {
          for (const p of parts) {
            for await (const chunk of await d.blobs.get(`mpu/${row.id}/${p}`)) {
              if (!joined.write(chunk)) await new Promise((r) => joined.once('drain', r));
            }
          }
          joined.end();
        })().catch((err: Error) => joined.destroy(err));
        await d.artifacts.upload(row.run_id, row.path, joined);
        await pump;
        await removeUpload(d, row.id, row.num_parts);
        return {};
      },
    }),
    mlflowRoute({
      methods: ['POST'], path: '/mlflow-artifacts/mpu/abort/*', access: 'write', runTokens: 'path', input: M.mpuAbort,
      handle: async (i, ctx) => {
        const row = await d.db.selectFrom('multipart_uploads').selectAll().where('id', '=', i.upload_id).where('workspace_id', '=', ctx.ws.id).executeTakeFirst();
        if (!row) throw notFound(`multipart upload ${i.upload_id} not found`);
        await removeUpload(d, row.id, row.num_parts);
        return {};
      },
    }),
  ];
}

async function removeUpload(d: ArtifactProxyDeps, id: string, parts: number): Promise<void> {
  for (let p = 1; p <= parts; p++) await d.blobs.delete(`mpu/${id}/${p}`);
  await d.db.deleteFrom('multipart_uploads').where('id', '=', id).execute();
}
