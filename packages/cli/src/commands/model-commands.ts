import { stat } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import type { Command } from 'commander';
import { ModelYaml, parseAssetRef, type CreateModelVersion, type ModelVersion, type RegisteredModel } from '@lathe/contract';
import type { LatheClient } from '@lathe/client';
import { loadSpecFile } from '../job-file/load-spec-file.js';
import { dataManifest } from '../upload/data-manifest.js';
import { uploadSnapshot } from '../upload/upload-snapshot.js';
import { downloadSnapshot } from '../upload/download-snapshot.js';
import { formatBytes, formatTime, table } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { CommandContext } from './command-context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const REMOTE = /^(runs:\/|azureml:\/\/|mlflow-artifacts:)/;

function pairs(list: string[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => {
    const i = t.indexOf('=');
    return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)];
  }));
}

/** Where a new version's files come from: a local path is uploaded; a run output is referenced. */
async function sourceOf(client: LatheClient, path: string, baseDir: string, out: Output): Promise<CreateModelVersion['source']> {
  if (REMOTE.test(path)) return { kind: 'uri', uri: path };
  const abs = resolve(baseDir, path);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new Error(`model path ${abs} does not exist (give a local file or folder, runs:/<job>/<path>, or azureml://jobs/<job>/outputs/<name>/paths/<path>)`);
  const m = await dataManifest(abs, info.isDirectory() ? 'uri_folder' : 'uri_file', 'model');
  const { snapshot } = await uploadSnapshot(client, m.files, m.absPaths, out, 'model files');
  return { kind: 'snapshot', snapshot_id: snapshot.id, path: abs };
}

function versionDetails(v: ModelVersion): string {
  const rows: string[][] = [
    ['Name:', v.name], ['Version:', String(v.version)], ['Type:', v.type], ['Stage:', v.stage + (v.archived ? ' (archived)' : '')],
    ['Description:', v.description ?? '-'], ['Source:', v.source], ['Job:', v.run_id ?? '-'],
    ['Files:', `${v.file_count} (${formatBytes(v.total_bytes)})`], ['Created:', `${formatTime(v.created_at)} by ${v.user}`],
  ];
  if (v.aliases.length) rows.push(['Aliases:', v.aliases.join(', ')]);
  if (Object.keys(v.tags).length) rows.push(['Tags:', Object.entries(v.tags).map(([k, x]) => `${k}=${x}`).join(', ')]);
  if (Object.keys(v.properties).length) rows.push(['Properties:', Object.entries(v.properties).map(([k, x]) => `${k}=${x}`).join(', ')]);
  if (v.mlmodel) {
    rows.push(['Flavors:', v.mlmodel.flavors.join(', ') || '-']);
    if (v.mlmodel.signature) {
      rows.push(['Signature in:', JSON.stringify(v.mlmodel.signature.inputs)]);
      rows.push(['Signature out:', JSON.stringify(v.mlmodel.signature.outputs)]);
    }
  }
  return table(rows);
}

/** `--name iris --version 3`, `--label latest`, or `--name azureml:iris:3` / `azureml:iris@latest`. */
function versionRef(o: { name: string; version?: string; label?: string }): { name: string; version: string } {
  const ref = parseAssetRef(o.name);
  if (ref) return ref;
  if (o.version) return { name: o.name, version: o.version };
  if (o.label) return { name: o.name, version: o.label === 'latest' ? 'latest' : `@${o.label}` };
  throw new Error('say which version: --version N, --label latest, or --name azureml:<name>:<version>');
}

export function modelCommands(program: Command, ctx: CommandContext): void {
  const model = program.command('model').description('The model registry (as `az ml model`)');

  model.command('create')
    .description('Register a model version from a YAML file or flags; versions auto-increment')
    .option('-f, --file <file>', 'Azure ML model YAML')
    .option('-n, --name <name>', 'model name')
    .option('-p, --path <path>', 'local file or folder, runs:/<job>/<path>, or azureml://jobs/<job>/outputs/<name>/paths/<path>')
    .option('--type <type>', 'custom_model or mlflow_model (default: mlflow_model when the files hold an MLmodel)')
    .option('-v, --version <n>', 'explicit version number')
    .option('-d, --description <text>')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .action(async (o: { file?: string; name?: string; path?: string; type?: string; version?: string; description?: string; tag?: string[] }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      let spec: { name: string; path: string; type?: string; version?: string | number; description?: string; tags?: Record<string, unknown>; properties?: Record<string, unknown>; stage?: string } = { name: o.name ?? '', path: o.path ?? '' };
      let baseDir = process.cwd();
      if (o.file) {
        spec = await loadSpecFile(o.file, ModelYaml, 'model file', "a mapping with at least 'name' and 'path'");
        baseDir = dirname(resolve(o.file));
      }
      const name = o.name ?? spec.name;
      const path = o.path ?? spec.path;
      if (!name || !path) throw new Error('a model needs a name and a path: -f model.yml, or --name and --path');
      const type = o.type ?? spec.type;
      if (type !== undefined && type !== 'custom_model' && type !== 'mlflow_model') throw new Error(`model type '${type}' is not supported; use custom_model or mlflow_model`);
      const version = o.version ?? spec.version;
      const stringy = (r: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
      const stage = spec.stage ? (['None', 'Staging', 'Production', 'Archived'].find((s) => s.toLowerCase() === spec.stage!.toLowerCase()) as CreateModelVersion['stage']) : undefined;
      const v = await client.call('createModelVersion', {
        params: { name },
        body: {
          source: await sourceOf(client, path, baseDir, out),
          ...(type ? { type: type as 'custom_model' | 'mlflow_model' } : {}),
          ...(version !== undefined ? { version: Number(version) } : {}),
          ...(o.description ?? spec.description ? { description: o.description ?? spec.description } : {}),
          tags: { ...stringy(spec.tags), ...pairs(o.tag) },
          properties: stringy(spec.properties),
          ...(stage ? { stage } : {}),
        },
      });
      out.result(v, () => `Registered ${v.name}:${v.version}\n${versionDetails(v)}`);
    });

  model.command('list')
    .description('Registered models, or the versions of one (--name)')
    .option('-n, --name <name>', 'list this model\'s versions')
    .option('--tag <key=value>', 'only those with this tag (repeatable)', collect)
    .option('--include-archived', 'also archived versions')
    .option('--max-results <n>', 'how many', '100')
    .action(async (o: { name?: string; tag?: string[]; includeArchived?: boolean; maxResults: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      if (o.name) {
        const page = await client.call('listModelVersions', { params: { name: o.name }, query: { tag: o.tag, include_archived: o.includeArchived, max_results: Number(o.maxResults) } });
        out.result(page.items, () => table([['NAME', 'VERSION', 'TYPE', 'STAGE', 'JOB', 'CREATED'], ...page.items.map((v) => [v.name, String(v.version), v.type, v.stage + (v.archived ? ' (archived)' : ''), v.run_id ?? '-', formatTime(v.created_at)])]));
        return;
      }
      const page = await client.call('listModels', { query: { tag: o.tag, max_results: Number(o.maxResults) } });
      out.result(page.items, () => (page.items.length ? modelTable(page.items) : 'No models.'));
    });

  model.command('show')
    .description('One version: files, flavors and signature of an MLmodel, the job that produced it')
    .requiredOption('-n, --name <name>', 'model name, or azureml:<name>:<version> / azureml:<name>@latest')
    .option('-v, --version <n>')
    .option('-l, --label <label>', 'latest, or an alias')
    .action(async (o: { name: string; version?: string; label?: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const ref = versionRef(o);
      const v = await client.call('getModelVersion', { params: ref });
      out.result(v, () => versionDetails(v));
    });

  model.command('download')
    .description('Download a version\'s files into <download-path>/<name>/')
    .requiredOption('-n, --name <name>')
    .option('-v, --version <n>')
    .option('-l, --label <label>', 'latest, or an alias')
    .option('-p, --download-path <dir>', 'where to write', '.')
    .action(async (o: { name: string; version?: string; label?: string; downloadPath: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const v = await client.call('getModelVersion', { params: versionRef(o) });
      if (!v.snapshot_id) throw new Error(`${v.name}:${v.version} has no files in the registry (source: ${v.source})`);
      const dest = join(resolve(o.downloadPath), v.name);
      const res = await downloadSnapshot(client, v.snapshot_id, dest);
      out.note(`Downloaded ${v.name}:${v.version}: ${res.files} file(s), ${formatBytes(res.bytes)}, to ${dest}`);
      if (out.format === 'json') out.result({ ...res, path: dest }, () => '');
    });

  for (const [verb, archived] of [['archive', true], ['restore', false]] as const) {
    model.command(verb)
      .description(archived ? 'Archive a version: hidden from lists and `latest`, still usable by version' : 'Restore an archived version')
      .requiredOption('-n, --name <name>')
      .requiredOption('-v, --version <n>')
      .action(async (o: { name: string; version: string }, cmd: Command) => {
        const { client, out } = ctx.connect(cmd);
        const v = await client.call('updateModelVersion', { params: { name: o.name, version: o.version }, body: { archived } });
        out.result(v, () => `${v.name}:${v.version} ${archived ? 'archived' : 'restored'}`);
      });
  }

  model.command('delete')
    .description('Delete a version (refused while a live deployment uses it)')
    .requiredOption('-n, --name <name>')
    .requiredOption('-v, --version <n>')
    .action(async (o: { name: string; version: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      await client.call('deleteModelVersion', { params: { name: o.name, version: o.version } });
      out.result({ deleted: `${o.name}:${o.version}` }, () => `Deleted ${o.name}:${o.version}`);
    });
}

function modelTable(models: RegisteredModel[]): string {
  return table([
    ['NAME', 'LATEST', 'VERSIONS', 'ALIASES', 'UPDATED'],
    ...models.map((m) => [m.name, m.latest_version === null ? '-' : String(m.latest_version), String(m.version_count), Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`).join(', ') || '-', formatTime(m.updated_at)]),
  ]);
}
