import type { Selectable } from 'kysely';
import { JobSubmission, type Run, type RunStatus } from '@lathe/contract';
import type { RunsTable } from '../db/schema.js';
import type { MetricService } from '../metrics/metric-service.js';
import type { Db } from '../db/database.js';

export type RunRow = Selectable<RunsTable>;

/** What of a run's data to load: a run created just now has no params or metrics; a status answer needs none. */
export interface RunDataToLoad {
  params?: boolean;
  tags?: boolean;
  metrics?: boolean;
}

/** Turn run rows into API records, loading params, tags and latest metrics per page, not per run. */
export async function toRuns(db: Db, metrics: MetricService, rows: RunRow[], wsName: string, load: RunDataToLoad = {}): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const none = new Map<string, never>();
  const [params, tags, latest, experiments, users] = await Promise.all([
    load.params === false ? none : metrics.params(ids),
    load.tags === false ? none : metrics.tags(ids),
    load.metrics === false ? none : metrics.latest(ids),
    db.selectFrom('experiments').select(['id', 'name']).where('id', 'in', [...new Set(rows.map((r) => Number(r.experiment_id)))]).execute(),
    db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...new Set(rows.map((r) => Number(r.user_id)))]).execute(),
  ]);
  const expName = new Map(experiments.map((e) => [Number(e.id), e.name]));
  const userName = new Map(users.map((u) => [Number(u.id), u.name]));
  return rows.map((r) => ({
    id: r.id,
    experiment_id: String(r.experiment_id),
    experiment_name: expName.get(Number(r.experiment_id)) ?? '',
    parent_run_id: r.parent_run_id,
    display_name: r.display_name,
    description: r.description,
    status: r.status as RunStatus,
    status_reason: r.status_reason,
    user: userName.get(Number(r.user_id)) ?? '',
    compute: r.compute,
    created_at: Number(r.created_at),
    started_at: r.started_at === null ? null : Number(r.started_at),
    ended_at: r.ended_at === null ? null : Number(r.ended_at),
    exit_code: r.exit_code,
    lifecycle_stage: r.lifecycle_stage as Run['lifecycle_stage'],
    tags: tags.get(r.id) ?? {},
    params: params.get(r.id) ?? {},
    metrics: latest.get(r.id) ?? {},
    job: r.job === null ? null : JobSubmission.parse(JSON.parse(r.job)),
    artifact_uri: `lathe://workspaces/${wsName}/runs/${r.id}/artifacts`,
  }));
}
