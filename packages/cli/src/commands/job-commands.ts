import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Run } from '@lathe/contract';
import { loadJobFile } from '../job-file/load-job-file.js';
import { buildManifest, DEFAULT_SNAPSHOT_LIMITS } from '../snapshot/build-manifest.js';
import { readGitInfo } from '../snapshot/git-info.js';
import { dataManifest } from '../upload/data-manifest.js';
import { uploadSnapshot } from '../upload/upload-snapshot.js';
import { buildSubmission } from './job-submission.js';
import { streamJob } from './job-stream.js';
import { downloadJob } from './job-download.js';
import { runDetails, runTable } from './job-view.js';
import { exitCodeForStatus } from './exit-codes.js';
import type { CommandContext } from './command-context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Azure ML's snapshot limits by default; LATHE_SNAPSHOT_MAX_BYTES / _MAX_FILES change them. */
function snapshotLimits(env: NodeJS.ProcessEnv) {
  return {
    maxBytes: env.LATHE_SNAPSHOT_MAX_BYTES ? Number(env.LATHE_SNAPSHOT_MAX_BYTES) : DEFAULT_SNAPSHOT_LIMITS.maxBytes,
    maxFiles: env.LATHE_SNAPSHOT_MAX_FILES ? Number(env.LATHE_SNAPSHOT_MAX_FILES) : DEFAULT_SNAPSHOT_LIMITS.maxFiles,
  };
}

export function jobCommands(program: Command, ctx: CommandContext): void {
  const job = program.command('job').description('Submit and follow jobs (as `az ml job`)');

  job.command('create')
    .description('Submit a command job from an Azure ML CLI v2 YAML file')
    .requiredOption('-f, --file <file>', 'job YAML')
    .option('--set <key=value>', 'override a YAML key, e.g. --set inputs.epochs=20 (repeatable)', collect)
    .option('-n, --name <name>', 'job name (default: the YAML name, else generated)')
    .option('--stream', 'follow the job\'s logs until it ends; exit non-zero if it did not complete')
    .action(async (o: { file: string; set?: string[]; name?: string; stream?: boolean }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const loaded = await loadJobFile(o.file, { set: o.set ?? [] });
      for (const w of loaded.warnings) out.warn(w);
      const submission = await buildSubmission(loaded, o.file, {
        code: async (dir) => {
          const manifest = await buildManifest(dir, snapshotLimits(ctx.env));
          for (const w of manifest.warnings) out.warn(w);
          const { snapshot } = await uploadSnapshot(client, manifest.files, manifest.absPaths, out, 'code');
          return { snapshotId: snapshot.id, gitTags: await readGitInfo(dir) };
        },
        model: async (name, version) => {
          const v = await client.call('getModelVersion', { params: { name, version } });
          if (!v.snapshot_id) throw new Error(`model ${v.name}:${v.version} has no files in the registry (source: ${v.source})`);
          return { snapshotId: v.snapshot_id, label: `azureml:${v.name}:${v.version}` };
        },
        data: async (path, type, describe) => {
          const m = await dataManifest(path, type, describe);
          const { snapshot } = await uploadSnapshot(client, m.files, m.absPaths, out, describe);
          return { snapshotId: snapshot.id, fileName: m.fileName };
        },
      }, out, o.name);
      const run = await client.call('submitJob', { body: submission });
      if (!o.stream) {
        out.result(run, () => runDetails(run));
        return;
      }
      out.note(`Submitted job ${run.id}`);
      const final = await streamJob(client, run.id, out, ctx.writeLog);
      if (out.format === 'json') out.result(final, () => '');
      ctx.setExitCode(exitCodeForStatus(final.status));
    });

  job.command('show')
    .description('Show a job: status, timings, params, tags, latest metrics, and the models and data versions it read or produced')
    .requiredOption('-n, --name <name>', 'job name')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const run = await client.call('getRun', { params: { run: o.name } });
      const [{ items: models }, { items: data }] = await Promise.all([
        client.call('listRunModels', { params: { run: o.name } }),
        client.call('listRunData', { params: { run: o.name } }),
      ]);
      const lineage = { models: models.map((m) => ({ name: m.name, version: m.version })), data };
      out.result({ ...run, ...lineage }, () => runDetails(run, lineage));
    });

  job.command('list')
    .description('List jobs, newest first')
    .option('--experiment <name>', 'only this experiment')
    .option('--status <list>', 'only these statuses, comma-separated (e.g. Running,Queued)')
    .option('--tag <key=value>', 'only jobs with this tag (repeatable)', collect)
    .option('--parent <name>', 'only the child runs of this job')
    .option('--order-by <expr>', "e.g. 'created_at DESC', 'metrics.loss ASC'")
    .option('--max-results <n>', 'how many', '50')
    .action(async (o: { experiment?: string; status?: string; tag?: string[]; parent?: string; orderBy?: string; maxResults: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const page = await client.call('listRuns', {
        query: { experiment: o.experiment, status: o.status, tag: o.tag, parent_run_id: o.parent, order_by: o.orderBy, max_results: Number(o.maxResults) },
      });
      out.result(page.items, () => (page.items.length ? runTable(page.items) : 'No jobs.'));
    });

  job.command('stream')
    .description('Print a job\'s logs live until it ends; exit non-zero if it did not complete')
    .requiredOption('-n, --name <name>', 'job name')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const final: Run = await streamJob(client, o.name, out, ctx.writeLog);
      ctx.setExitCode(exitCodeForStatus(final.status));
    });

  job.command('cancel')
    .description('Cancel a job (kills its whole process tree)')
    .requiredOption('-n, --name <name>', 'job name')
    .action(async (o: { name: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const run = await client.call('cancelRun', { params: { run: o.name }, body: {} });
      out.result(run, () => `Job ${run.id}: ${run.status}`);
    });

  job.command('download')
    .description('Download a job\'s outputs (as `az ml job download`)')
    .requiredOption('-n, --name <name>', 'job name')
    .option('--output-name <name>', 'one named output')
    .option('--all', 'the default artifacts and every named output')
    .option('--snapshot', 'also the submitted code, under snapshot/')
    .option('-p, --download-path <dir>', 'where to write', '.')
    .action(async (o: { name: string; outputName?: string; all?: boolean; snapshot?: boolean; downloadPath: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const res = await downloadJob(client, o.name, resolve(o.downloadPath), o, out);
      if (out.format === 'json') out.result(res, () => '');
    });
}
