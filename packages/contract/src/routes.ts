/**
 * The route table: every operation of the /api/v1 surface, with its schemas. The server
 * registers handlers against it, the SDK calls through it, and OpenAPI is generated from it.
 */
import { z } from 'zod';
import { route } from './route.js';
import { Ok, pageOf, PageQuery } from './resources/common.js';
import { AddMember, CreatedUser, CreateUser, CreateWorkspace, Member, User, WhoAmI, Workspace } from './resources/workspace.js';
import { CreateExperiment, Experiment } from './resources/experiment.js';
import {
  CancelRun, CreateRun, Heartbeat, ListRunsQuery, LogAppend, LogAppendResult, LogQuery, Run,
  RunTokenResponse, SetRunStatus, UpdateRun,
} from './resources/run.js';
import { JobSubmission } from './resources/job.js';
import { HistoryQuery, LogBatch, LogBatchResult, MetricHistory, MetricKeys, MetricSeries, SeriesQuery } from './resources/metric.js';
import { Artifact, ArtifactListQuery, ArtifactQuery } from './resources/artifact.js';
import { CreateSnapshot, MissingBlobs, MissingBlobsRequest, Snapshot } from './resources/snapshot.js';
import { Compute, CreateCompute } from './resources/compute.js';

const WS = '/api/v1/workspaces/:ws';
const Ws = z.object({ ws: z.string() });
const WsRun = z.object({ ws: z.string(), run: z.string() });
const WsName = z.object({ ws: z.string(), name: z.string() });

export const routes = {
  health: route({ method: 'GET', path: '/health', tag: 'system', summary: 'Liveness; the one route without a token.', auth: 'none', response: z.object({ status: z.literal('ok'), version: z.string() }) }),
  openapi: route({ method: 'GET', path: '/api/v1/openapi.json', tag: 'system', summary: 'This API, as OpenAPI 3.1.', response: z.record(z.string(), z.unknown()) }),
  whoami: route({ method: 'GET', path: '/api/v1/whoami', tag: 'auth', summary: 'The caller and the workspaces it may use.', response: WhoAmI }),

  createUser: route({ method: 'POST', path: '/api/v1/users', tag: 'auth', summary: 'Create a user and its first token (admin only).', auth: 'admin', body: CreateUser, response: CreatedUser }),
  listUsers: route({ method: 'GET', path: '/api/v1/users', tag: 'auth', summary: 'List users (admin only).', auth: 'admin', response: z.object({ items: z.array(User) }) }),

  listWorkspaces: route({ method: 'GET', path: '/api/v1/workspaces', tag: 'workspaces', summary: 'Workspaces the caller is a member of.', response: z.object({ items: z.array(Workspace) }) }),
  createWorkspace: route({ method: 'POST', path: '/api/v1/workspaces', tag: 'workspaces', summary: 'Create a workspace; the caller becomes its owner.', body: CreateWorkspace, response: Workspace }),
  addMember: route({ method: 'PUT', path: `${WS}/members`, tag: 'workspaces', summary: 'Give a user a role in the workspace (owner only).', params: Ws, body: AddMember, response: Member }),
  listMembers: route({ method: 'GET', path: `${WS}/members`, tag: 'workspaces', summary: 'Members and roles.', params: Ws, response: z.object({ items: z.array(Member) }) }),

  listExperiments: route({ method: 'GET', path: `${WS}/experiments`, tag: 'experiments', summary: 'List experiments, newest first.', params: Ws, query: PageQuery.extend({ include_deleted: z.coerce.boolean().optional() }), response: pageOf(Experiment) }),
  createExperiment: route({ method: 'POST', path: `${WS}/experiments`, tag: 'experiments', summary: 'Create an experiment (runs also create theirs on first use).', params: Ws, body: CreateExperiment, response: Experiment }),
  getExperiment: route({ method: 'GET', path: `${WS}/experiments/:name`, tag: 'experiments', summary: 'Get an experiment by name or id.', params: WsName, response: Experiment }),

  submitJob: route({ method: 'POST', path: `${WS}/jobs`, tag: 'runs', summary: 'Submit a command job; it is queued on its compute.', params: Ws, body: JobSubmission, response: Run }),
  createRun: route({ method: 'POST', path: `${WS}/runs`, tag: 'runs', summary: 'Create a run for logging alone (no command), e.g. a child run.', params: Ws, body: CreateRun, response: Run }),
  listRuns: route({ method: 'GET', path: `${WS}/runs`, tag: 'runs', summary: 'List runs with filters, order and paging.', params: Ws, query: ListRunsQuery, response: pageOf(Run) }),
  getRun: route({ method: 'GET', path: `${WS}/runs/:run`, tag: 'runs', summary: 'Get a run record.', params: WsRun, response: Run }),
  updateRun: route({ method: 'PATCH', path: `${WS}/runs/:run`, tag: 'runs', summary: 'Change display name or description.', params: WsRun, body: UpdateRun, response: Run }),
  cancelRun: route({ method: 'POST', path: `${WS}/runs/:run/cancel`, tag: 'runs', summary: 'Cancel a run and its whole process tree.', params: WsRun, body: CancelRun, response: Run }),
  setRunStatus: route({ method: 'POST', path: `${WS}/runs/:run/status`, tag: 'runs', summary: 'Report a status change (the agent, or a logging client ending its run).', params: WsRun, body: SetRunStatus, response: Run }),
  heartbeat: route({ method: 'POST', path: `${WS}/runs/:run/heartbeat`, tag: 'runs', summary: 'Agent liveness; answers whether cancel was requested.', params: WsRun, response: Heartbeat }),
  createRunToken: route({ method: 'POST', path: `${WS}/runs/:run/token`, tag: 'runs', summary: 'A token scoped to this run (for its agent and scripts).', params: WsRun, response: RunTokenResponse }),

  logBatch: route({ method: 'POST', path: `${WS}/runs/:run/log-batch`, tag: 'metrics', summary: 'Log metrics, params and tags in one call.', params: WsRun, body: LogBatch, response: LogBatchResult }),
  listMetricKeys: route({ method: 'GET', path: `${WS}/runs/:run/metrics`, tag: 'metrics', summary: 'The metric keys a run has logged.', params: WsRun, response: MetricKeys }),
  getMetricHistory: route({ method: 'GET', path: `${WS}/runs/:run/metrics/history`, tag: 'metrics', summary: 'Every point of one metric, by step, paged.', params: WsRun, query: HistoryQuery, response: MetricHistory }),
  getMetricSeries: route({ method: 'GET', path: `${WS}/runs/:run/metrics/series`, tag: 'metrics', summary: 'One metric downsampled into N step buckets (min, max, last of each).', params: WsRun, query: SeriesQuery, response: MetricSeries }),

  listArtifacts: route({ method: 'GET', path: `${WS}/runs/:run/artifacts`, tag: 'artifacts', summary: 'List a run\'s artifacts under a prefix.', params: WsRun, query: ArtifactListQuery, response: pageOf(Artifact) }),
  uploadArtifact: route({ method: 'PUT', path: `${WS}/runs/:run/artifacts/content`, tag: 'artifacts', summary: 'Upload one artifact file (streamed body).', params: WsRun, query: ArtifactQuery, stream: 'upload', response: Artifact }),
  downloadArtifact: route({ method: 'GET', path: `${WS}/runs/:run/artifacts/content`, tag: 'artifacts', summary: 'Download one artifact file (streamed).', params: WsRun, query: ArtifactQuery, stream: 'download' }),

  appendLog: route({ method: 'POST', path: `${WS}/runs/:run/logs`, tag: 'logs', summary: 'Append to the run\'s std_log.', params: WsRun, body: LogAppend, response: LogAppendResult }),
  readLog: route({ method: 'GET', path: `${WS}/runs/:run/logs`, tag: 'logs', summary: 'Read the run\'s std_log from a byte offset (text/plain).', params: WsRun, query: LogQuery, stream: 'download' }),
  streamLog: route({ method: 'GET', path: `${WS}/runs/:run/logs/stream`, tag: 'logs', summary: 'Live tail as server-sent events (`log` events, then `status` and `end`).', params: WsRun, query: LogQuery, stream: 'sse' }),

  findMissingBlobs: route({ method: 'POST', path: `${WS}/blobs/missing`, tag: 'snapshots', summary: 'Which of these content hashes the server does not hold.', params: Ws, body: MissingBlobsRequest, response: MissingBlobs }),
  uploadBlob: route({ method: 'PUT', path: `${WS}/blobs/:sha256`, tag: 'snapshots', summary: 'Upload one content-addressed blob (streamed, verified).', params: z.object({ ws: z.string(), sha256: z.string() }), stream: 'upload', response: z.object({ sha256: z.string(), size: z.number().int() }) }),
  downloadBlob: route({ method: 'GET', path: `${WS}/blobs/:sha256`, tag: 'snapshots', summary: 'Download one content-addressed blob.', params: z.object({ ws: z.string(), sha256: z.string() }), stream: 'download' }),
  createSnapshot: route({ method: 'POST', path: `${WS}/snapshots`, tag: 'snapshots', summary: 'Record a snapshot manifest whose blobs are all uploaded.', params: Ws, body: CreateSnapshot, response: Snapshot }),
  getSnapshot: route({ method: 'GET', path: `${WS}/snapshots/:id`, tag: 'snapshots', summary: 'A snapshot\'s manifest.', params: z.object({ ws: z.string(), id: z.string() }), response: Snapshot }),

  listComputes: route({ method: 'GET', path: `${WS}/computes`, tag: 'compute', summary: 'Compute targets with slots in use and queue length.', params: Ws, response: z.object({ items: z.array(Compute) }) }),
  createCompute: route({ method: 'POST', path: `${WS}/computes`, tag: 'compute', summary: 'Create a compute target.', params: Ws, body: CreateCompute, response: Compute }),
  getCompute: route({ method: 'GET', path: `${WS}/computes/:name`, tag: 'compute', summary: 'One compute target.', params: WsName, response: Compute }),
  deleteCompute: route({ method: 'DELETE', path: `${WS}/computes/:name`, tag: 'compute', summary: 'Delete a compute target with no active runs.', params: WsName, response: Ok }),
} as const;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
