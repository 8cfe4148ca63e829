import { z } from 'zod';
import { RUN_STATUSES } from '../status.js';
import { Millis, StringMap } from './common.js';
import { LatestMetric } from './metric.js';
import { JobSubmission } from './job.js';

export const RunStatusSchema = z.enum(RUN_STATUSES);

export const Run = z.object({
  id: z.string(),
  experiment_id: z.string(),
  experiment_name: z.string(),
  parent_run_id: z.string().nullable(),
  display_name: z.string(),
  description: z.string().nullable(),
  status: RunStatusSchema,
  status_reason: z.string().nullable(),
  user: z.string(),
  compute: z.string().nullable(),
  created_at: Millis,
  started_at: Millis.nullable(),
  ended_at: Millis.nullable(),
  exit_code: z.number().int().nullable(),
  lifecycle_stage: z.enum(['active', 'deleted']),
  tags: StringMap,
  params: StringMap,
  metrics: z.record(z.string(), LatestMetric),
  /** The submitted job; null for runs created by logging alone (MLflow, child runs). */
  job: JobSubmission.nullable(),
  artifact_uri: z.string(),
});
export type Run = z.infer<typeof Run>;

export const CreateRun = z.object({
  experiment_name: z.string().min(1).optional(),
  experiment_id: z.string().optional(),
  name: z.string().optional(),
  display_name: z.string().optional(),
  parent_run_id: z.string().optional(),
  tags: StringMap.optional(),
  start_time: Millis.optional(),
});

export const RUN_ORDER_FIELDS = ['created_at', 'started_at', 'ended_at', 'display_name', 'status'] as const;

export const ListRunsQuery = z.object({
  experiment: z.string().optional(),
  status: z.string().optional(),
  parent_run_id: z.string().optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  created_after: z.coerce.number().int().optional(),
  created_before: z.coerce.number().int().optional(),
  /** Conditions in MLflow's search grammar: `metrics.loss < 0.5 and params.lr = '0.1'`. */
  filter: z.string().max(10_000).optional(),
  /** `created_at DESC` (default), or `metrics.loss ASC`, `params.lr DESC`, ... */
  order_by: z.string().optional(),
  include_deleted: z.coerce.boolean().optional(),
  max_results: z.coerce.number().int().min(1).max(1000).optional(),
  page_token: z.string().optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

export const UpdateRun = z.object({
  display_name: z.string().min(1).optional(),
  description: z.string().optional(),
});

/** What the agent (or a logging client ending its run) reports. */
export const SetRunStatus = z.object({
  status: RunStatusSchema,
  reason: z.string().max(4000).optional(),
  exit_code: z.number().int().optional(),
  agent_pid: z.number().int().optional(),
  at: Millis.optional(),
});

export const Heartbeat = z.object({ cancel_requested: z.boolean(), status: RunStatusSchema });

export const CancelRun = z.object({ reason: z.string().max(1000).optional() });

export const RunTokenResponse = z.object({ token: z.string() });

export const LogAppend = z.object({
  /** Byte offset where this chunk starts; a retry of a stored chunk is acknowledged and skipped. */
  offset: z.number().int().nonnegative(),
  data: z.string().max(4 * 1024 * 1024),
});
export const LogAppendResult = z.object({ size: z.number().int() });
export const LogQuery = z.object({ offset: z.coerce.number().int().nonnegative().default(0) });
