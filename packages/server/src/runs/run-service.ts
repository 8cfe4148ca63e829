import {
  alreadyExists, invalid, isTerminal, LatheError, notFound, precondition, runId as checkRunId, undeclaredRefs,
  type JobSubmission, type ListRunsQuery, type Run, type RunStatus,
} from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { MetricService } from '../metrics/metric-service.js';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { generateRunName } from './run-names.js';
import { toRuns, type RunDataToLoad, type RunRow } from './run-mapper.js';
import { QueryTemplates } from '../db/query-templates.js';
import { pageOfRuns } from './run-page.js';
import type { RunEvents } from './run-events.js';
import type { ResolvedEnvironment } from '@lathe/contract';

export interface ComputeLookup {
  /** Throws NOT_FOUND with the command to create it when the compute does not exist. */
  require(wsId: number, name: string): Promise<void>;
}

export interface EnvironmentResolver {
  /** The job's `environment` as its run records it (null: none named); throws when it cannot run on `compute`. */
  resolve(wsId: number, environment: unknown, compute: string): Promise<ResolvedEnvironment | null>;
}

/**
 * The data area's part in a submit: data assets, datastore URIs and secret references in
 * the job are checked and resolved before the run is stored, and lineage recorded after.
 */
export interface JobDataResolver {
  resolve(wsId: number, job: JobSubmission): Promise<JobSubmission>;
  submitted(wsId: number, runId: string, job: JobSubmission): Promise<void>;
}

/** Which status a run may move to from where it is. */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  NotStarted: ['Queued', 'Canceled', 'Failed'],
  Queued: ['Preparing', 'Canceled', 'Failed'],
  Preparing: ['Running', 'Finalizing', 'Failed', 'Canceled', 'CancelRequested'],
  Running: ['Finalizing', 'Completed', 'Failed', 'Canceled', 'CancelRequested'],
  Finalizing: ['Completed', 'Failed', 'Canceled', 'CancelRequested'],
  CancelRequested: ['Canceled', 'Failed', 'Completed'],
  Completed: [],
  Failed: [],
  Canceled: [],
};

export interface StatusChange {
  status: RunStatus;
  reason?: string | undefined;
  exit_code?: number | undefined;
  agent_pid?: number | undefined;
  at?: number | undefined;
}

/** Runs: submission, tracking-only runs, status lifecycle, listing. */
export class RunService {
  constructor(
    private readonly db: Db,
    private readonly experiments: ExperimentService,
    private readonly metrics: MetricService,
    private readonly snapshots: SnapshotService,
    private readonly computes: ComputeLookup,
    private readonly pages: PageTokens,
    readonly events: RunEvents,
    private readonly environments?: EnvironmentResolver,
    private readonly jobData?: JobDataResolver,
  ) {}

  /** Every write to a run reads its row first: compiled once, not per call. */
  private readonly templates = new QueryTemplates();

  async row(wsId: number, id: string): Promise<RunRow> {
    const { rows } = await this.templates.execute(this.db, 'row', [id, wsId], () => this.db.selectFrom('runs').selectAll().where('id', '=', id).where('workspace_id', '=', wsId));
    if (!rows[0]) throw notFound(`job '${id}' not found`);
    return rows[0];
  }

  /** The run's record; `load` can leave its params, tags or metrics empty (an answer about its status alone). */
  async get(ws: WorkspaceRef, id: string, load: RunDataToLoad = {}): Promise<Run> {
    const [run] = await toRuns(this.db, this.metrics, [await this.row(ws.id, id)], ws.name, load);
    return run!;
  }

  /** Whether `id` is `root` or one of its descendants (run-scoped tokens act only there). */
  async isWithin(id: string, root: string): Promise<boolean> {
    let current: string | null = id;
    for (let depth = 0; current !== null && depth < 32; depth++) {
      if (current === root) return true;
      const row: { parent_run_id: string | null } | undefined = await this.db.selectFrom('runs').select('parent_run_id').where('id', '=', current).executeTakeFirst();
      current = row?.parent_run_id ?? null;
    }
    return false;
  }

  private async newId(requested: string | undefined): Promise<string> {
    if (requested !== undefined) {
      checkRunId(requested);
      const clash = await this.db.selectFrom('runs').select('id').where('id', '=', requested).executeTakeFirst();
      if (clash) throw alreadyExists(`a job named '${requested}' already exists; job names are unique`);
      return requested;
    }
    return generateRunName();
  }

  async submit(ws: WorkspaceRef, userId: number, submitted: JobSubmission, parentRunId?: string): Promise<Run> {
    const job = this.jobData ? await this.jobData.resolve(ws.id, submitted) : submitted;
    const undeclared = undeclaredRefs(job.command, Object.keys(job.inputs), Object.keys(job.outputs));
    if (undeclared.length > 0) {
      const r = undeclared[0]!;
      throw invalid(`the command references ${r.kind}.${r.name}, which the job does not declare (declared ${r.kind}: ${Object.keys(job[r.kind]).join(', ') || 'none'})`);
    }
    await this.computes.require(ws.id, job.compute);
    const resolvedEnvironment = (await this.environments?.resolve(ws.id, job.environment, job.compute)) ?? null;
    for (const id of [job.code_snapshot_id, ...Object.values(job.inputs).map((i) => (i.kind === 'data' ? i.snapshot_id : null))]) {
      if (id) await this.snapshots.get(ws.id, id);
    }
    const exp = await this.experiments.getOrCreate(ws.id, job.experiment_name);
    const id = await this.newId(job.name);
    const now = Date.now();
    const row = {
      id,
      workspace_id: ws.id,
      experiment_id: exp.id,
      parent_run_id: parentRunId ?? null,
      display_name: job.display_name ?? id,
      description: job.description ?? null,
      status: 'Queued',
      status_reason: null,
      user_id: userId,
      compute: job.compute,
      created_at: now,
      started_at: null,
      ended_at: null,
      exit_code: null,
      lifecycle_stage: 'active',
      job: JSON.stringify({ ...job, name: id, resolved_environment: resolvedEnvironment }),
      agent_pid: null,
      heartbeat_at: null,
      cancel_requested: 0,
      last_update_time: now,
    };
    await this.db.transaction().execute(async (trx) => {
      await this.templates.execute(trx, 'insert', Object.values(row), () => trx.insertInto('runs').values(row));
      const tags = Object.entries(job.tags);
      if (tags.length) await trx.insertInto('run_tags').values(tags.map(([key, value]) => ({ run_id: id, key, value }))).execute();
    });
    await this.jobData?.submitted(ws.id, id, job);
    this.events.emit('queued', id, ws.id);
    return this.get(ws, id);
  }

  /** A run for logging alone: starts Running, ended by its client. */
  /**
   * A run to log to (no job). `known` spares lookups a caller has done already: the
   * experiment's row id, or an id the caller generated itself (MLflow's 32-hex; unique by
   * construction, and the primary key still guards it).
   */
  async createTracking(
    ws: WorkspaceRef, userId: number,
    input: { experiment_name?: string | undefined; experiment_id?: string | undefined; name?: string | undefined; display_name?: string | undefined; parent_run_id?: string | undefined; tags?: Record<string, string> | undefined; start_time?: number | undefined },
    known: { experimentId?: number; generatedId?: string } = {},
  ): Promise<Run> {
    let experimentId: number;
    if (input.parent_run_id) {
      const parent = await this.row(ws.id, input.parent_run_id);
      experimentId = known.experimentId ?? (input.experiment_name || input.experiment_id ? await this.experimentIdOf(ws.id, input) : Number(parent.experiment_id));
    } else {
      experimentId = known.experimentId ?? await this.experimentIdOf(ws.id, input);
    }
    const id = known.generatedId ?? await this.newId(input.name);
    const now = Date.now();
    const row: RunRow = {
      id, workspace_id: ws.id, experiment_id: experimentId, parent_run_id: input.parent_run_id ?? null,
      display_name: input.display_name ?? id, description: null, status: 'Running', status_reason: null, user_id: userId,
      compute: null, created_at: input.start_time ?? now, started_at: input.start_time ?? now, ended_at: null, exit_code: null,
      lifecycle_stage: 'active', job: null, agent_pid: null, heartbeat_at: null, cancel_requested: 0, last_update_time: now,
    };
    await this.db.transaction().execute(async (trx) => {
      await this.templates.execute(trx, 'insert', Object.values(row), () => trx.insertInto('runs').values(row));
      const tags = Object.entries(input.tags ?? {});
      if (tags.length) await trx.insertInto('run_tags').values(tags.map(([key, value]) => ({ run_id: id, key, value }))).execute();
    });
    this.events.emit('status', id, ws.id, 'Running', false);
    // The record is what was just written: no need to read the row back, and a new run has no params or metrics yet.
    return (await toRuns(this.db, this.metrics, [row], ws.name, { params: false, metrics: false }))[0]!;
  }

  private async experimentIdOf(wsId: number, input: { experiment_name?: string | undefined; experiment_id?: string | undefined }): Promise<number> {
    if (input.experiment_id) {
      const byId = /^\d+$/.test(input.experiment_id) ? await this.experiments.getRowById(wsId, Number(input.experiment_id)).catch(() => undefined) : undefined;
      return Number((byId ?? await this.experiments.getRow(wsId, input.experiment_id)).id);
    }
    return (await this.experiments.getOrCreate(wsId, input.experiment_name ?? 'Default')).id;
  }

  async list(ws: WorkspaceRef, query: ListRunsQuery): Promise<{ items: Run[]; next_page_token: string | null }> {
    const size = query.max_results ?? 100;
    let experimentIds: number[] | undefined;
    if (query.experiment) experimentIds = [Number((await this.experiments.getRow(ws.id, query.experiment)).id)];
    const { page_token: _t, max_results: _m, ...filters } = query;
    const scope = `runs:${ws.id}:${JSON.stringify(filters)}`;
    const offset = offsetFrom(this.pages, scope, query.page_token);
    const rows = await pageOfRuns(this.db, { wsId: ws.id, experimentIds, query }, size, offset);
    return { items: await toRuns(this.db, this.metrics, rows, ws.name), next_page_token: nextToken(this.pages, scope, offset, rows.length, size) };
  }

  /** MLflow's search: several experiments, its filter grammar, several sort keys, lifecycle views. */
  async search(ws: WorkspaceRef, q: { experimentIds: number[]; filter?: string | undefined; orderBy?: string[] | undefined; lifecycle: 'active' | 'deleted' | 'all'; max_results: number; page_token?: string | undefined }) {
    const scope = `run-search:${ws.id}:${JSON.stringify({ e: q.experimentIds, f: q.filter, o: q.orderBy, l: q.lifecycle })}`;
    const offset = offsetFrom(this.pages, scope, q.page_token);
    const rows = await pageOfRuns(this.db, { wsId: ws.id, experimentIds: q.experimentIds, query: {}, filter: q.filter, orderBy: q.orderBy, lifecycle: q.lifecycle }, q.max_results, offset);
    return { items: await toRuns(this.db, this.metrics, rows, ws.name), next_page_token: nextToken(this.pages, scope, offset, rows.length, q.max_results) };
  }

  async update(ws: WorkspaceRef, id: string, patch: { display_name?: string | undefined; description?: string | undefined }): Promise<Run> {
    await this.row(ws.id, id);
    const set: { display_name?: string; description?: string; last_update_time: number } = { last_update_time: Date.now() };
    if (patch.display_name !== undefined) set.display_name = patch.display_name;
    if (patch.description !== undefined) set.description = patch.description;
    await this.db.updateTable('runs').set(set).where('id', '=', id).execute();
    return this.get(ws, id);
  }

  /**
   * Move a run to a new status. Times are stamped on the way: started_at on Running,
   * ended_at on a terminal status. Reports that lose a race with cancellation are
   * absorbed (a run being canceled stays CancelRequested until it ends).
   */
  async setStatus(ws: WorkspaceRef, id: string, change: StatusChange): Promise<Run> {
    const row = await this.row(ws.id, id);
    await this.transition(row, change);
    return this.get(ws, id);
  }

  /** The transition itself, for callers that already hold the row (scheduler, reconciler). */
  async transition(row: RunRow, change: StatusChange): Promise<boolean> {
    const from = row.status as RunStatus;
    const to = change.status;
    if (from === to) return false;
    if (from === 'CancelRequested' && (to === 'Running' || to === 'Finalizing' || to === 'Preparing')) return false;
    if (!NEXT[from].includes(to)) {
      if (isTerminal(from)) throw precondition(`job '${row.id}' has already ended (${from}); it cannot become ${to}`);
      throw precondition(`job '${row.id}' cannot go from ${from} to ${to}`);
    }
    const at = change.at ?? Date.now();
    const set: Record<string, unknown> = { status: to, last_update_time: Date.now() };
    if (to === 'Running' && row.started_at === null) set.started_at = at;
    if (isTerminal(to)) {
      set.ended_at = at;
      if (row.started_at === null && to !== 'Canceled') set.started_at = at;
    }
    if (change.reason !== undefined) set.status_reason = change.reason;
    if (change.exit_code !== undefined) set.exit_code = change.exit_code;
    if (change.agent_pid !== undefined) set.agent_pid = change.agent_pid;
    if (to === 'CancelRequested') set.cancel_requested = 1;
    const res = await this.db.updateTable('runs').set(set).where('id', '=', row.id).where('status', '=', from).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      // Someone else moved it first; try again from where it is now.
      const fresh = await this.db.selectFrom('runs').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      return this.transition(fresh, change);
    }
    this.events.emit('status', row.id, Number(row.workspace_id), to, row.job !== null);
    return true;
  }

  async heartbeat(ws: WorkspaceRef, id: string): Promise<{ cancel_requested: boolean; status: RunStatus }> {
    const row = await this.row(ws.id, id);
    await this.db.updateTable('runs').set({ heartbeat_at: Date.now() }).where('id', '=', id).execute();
    return { cancel_requested: row.cancel_requested === 1, status: row.status as RunStatus };
  }

  /** Cancel: a queued job ends at once; a running one is asked to stop (its agent reports Canceled). */
  async cancel(ws: WorkspaceRef, id: string, reason: string | undefined, stop: (row: RunRow) => Promise<void>): Promise<Run> {
    const row = await this.row(ws.id, id);
    const status = row.status as RunStatus;
    const why = reason ?? 'Canceled by user';
    if (status === 'Canceled' || status === 'CancelRequested') return this.get(ws, id);
    if (isTerminal(status)) throw precondition(`job '${id}' has already ended (${status}); there is nothing to cancel`);
    if (status === 'Queued' || status === 'NotStarted' || row.job === null) {
      await this.transition(row, { status: 'Canceled', reason: why });
    } else {
      await this.transition(row, { status: 'CancelRequested', reason: why });
      await stop(row);
    }
    // Child runs go with their parent.
    const children = await this.db.selectFrom('runs').selectAll().where('parent_run_id', '=', id).execute();
    for (const child of children) {
      if (!isTerminal(child.status as RunStatus)) await this.cancel(ws, child.id, `parent ${id} was canceled`, stop).catch(() => undefined);
    }
    return this.get(ws, id);
  }

  async queued(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().where('status', '=', 'Queued').orderBy('created_at').orderBy('id').execute();
  }

  async active(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().where('status', 'in', ['Preparing', 'Running', 'Finalizing', 'CancelRequested']).where('job', 'is not', null).execute();
  }

  async recordAgent(id: string, pid: number): Promise<void> {
    await this.db.updateTable('runs').set({ agent_pid: pid, heartbeat_at: Date.now() }).where('id', '=', id).execute();
  }

  assertJob(row: RunRow): JobSubmission {
    if (row.job === null) throw new LatheError('FAILED_PRECONDITION', `run '${row.id}' has no job spec (it was created for logging only)`);
    return JSON.parse(row.job) as JobSubmission;
  }

  /** Delete or restore a run (marked, not erased; MLflow's runs/delete and runs/restore). */
  async setLifecycle(ws: WorkspaceRef, id: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.row(ws.id, id);
    await this.db.updateTable('runs').set({ lifecycle_stage: stage, last_update_time: Date.now() }).where('id', '=', id).execute();
  }
}
