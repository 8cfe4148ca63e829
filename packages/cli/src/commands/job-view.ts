import type { Run } from '@lathe/contract';
import { formatDuration, formatTime, table } from '../output/format.js';

/** `sklearn-env:2, sha256 1a2b3c4d5e6f (azureml:AzureML-sklearn-1.5@latest through the alias map)` */
function environmentText(e: NonNullable<NonNullable<Run['job']>['resolved_environment']>): string {
  const name = e.name === null ? 'inline' : e.version === null ? e.name : `${e.name}:${e.version}`;
  const hash = e.hash === null ? 'host environment' : `sha256 ${e.hash.slice(0, 12)}`;
  const from = e.reference === null ? '' : ` (${e.reference}${e.alias !== null ? ' through the alias map' : ''})`;
  return `${e.source === 'curated' ? 'curated ' : ''}${name}, ${hash}${from}`;
}

const metricText = (v: Run['metrics'][string]) => (typeof v.value === 'number' ? String(Number(v.value.toPrecision(6))) : v.value);

/** The job's lineage: model versions registered from it, data versions it read or produced. */
export interface RunLineage {
  models: Array<{ name: string; version: number }>;
  data: Array<{ direction: string; port: string; name: string; version: number }>;
}

/** `job show` as a person reads it. */
export function runDetails(run: Run, lineage: RunLineage = { models: [], data: [] }): string {
  const rows: string[][] = [
    ['Name', run.id],
    ['Display name', run.display_name],
    ['Experiment', run.experiment_name],
    ['Status', run.status + (run.status_reason ? ` (${run.status_reason})` : '')],
    ['Compute', run.compute ?? '-'],
    ['Created', formatTime(run.created_at)],
    ['Started', formatTime(run.started_at)],
    ['Ended', formatTime(run.ended_at)],
    ['Duration', formatDuration(run.started_at, run.ended_at)],
  ];
  if (run.exit_code !== null) rows.push(['Exit code', String(run.exit_code)]);
  if (run.parent_run_id) rows.push(['Parent', run.parent_run_id]);
  if (run.job) rows.push(['Command', run.job.command]);
  if (run.job?.resolved_environment) rows.push(['Environment', environmentText(run.job.resolved_environment)]);
  const section = (title: string, rec: Record<string, string>) => {
    const entries = Object.entries(rec);
    if (entries.length) rows.push([title, entries.map(([k, v]) => `${k}=${v}`).join(', ')]);
  };
  section('Params', run.params);
  section('Tags', run.tags);
  section('Metrics', Object.fromEntries(Object.entries(run.metrics).map(([k, v]) => [k, metricText(v)])));
  if (lineage.models.length) rows.push(['Models', lineage.models.map((m) => `${m.name}:${m.version}`).join(', ')]);
  const data = (direction: string) => lineage.data.filter((d) => d.direction === direction).map((d) => `${d.name}:${d.version} (${d.port})`).join(', ');
  if (data('input')) rows.push(['Data read', data('input')]);
  if (data('output')) rows.push(['Data produced', data('output')]);
  return table(rows.map(([k, v]) => [`${k}:`, v!]));
}

export function runTable(runs: Run[]): string {
  return table([
    ['NAME', 'STATUS', 'EXPERIMENT', 'DISPLAY NAME', 'CREATED', 'DURATION'],
    ...runs.map((r) => [r.id, r.status, r.experiment_name, r.display_name, formatTime(r.created_at), formatDuration(r.started_at, r.ended_at)]),
  ]);
}
