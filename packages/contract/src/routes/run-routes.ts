import { z } from 'zod';
import { route } from '../route.js';
import { pageOf, PageQuery } from '../resources/common.js';
import { CreateExperiment, Experiment } from '../resources/experiment.js';
import { CancelRun, CreateRun, Heartbeat, ListRunsQuery, LogAppend, LogAppendResult, LogQuery, Run, RunTokenResponse, SetRunStatus, UpdateRun } from '../resources/run.js';
import { JobSubmission } from '../resources/job.js';
import { HistoryQuery, LogBatch, LogBatchResult, MetricHistory, MetricKeys, MetricSeries, SeriesQuery } from '../resources/metric.js';
import { Artifact, ArtifactListQuery, ArtifactQuery } from '../resources/artifact.js';
import { WS, Ws, WsRun, WsName } from './params.js';

export const runRoutes = {
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
} as const;
