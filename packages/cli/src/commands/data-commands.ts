import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DataYaml, parseAssetRef, type CreateDataVersion, type DataCheck, type DataLineage, type DataVersion } from '@lathe/contract';
import type { LatheClient } from '@lathe/client';
import { loadSpecFile } from '../job-file/load-spec-file.js';
import { dataManifest } from '../upload/data-manifest.js';
import { uploadSnapshot } from '../upload/upload-snapshot.js';
import { downloadSnapshot, saveUnder } from '../upload/download-snapshot.js';
import { formatBytes, formatTime, table } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { CommandContext } from './command-context.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const URI = /^[a-z][a-z0-9+.-]*:/i;

/** A local path is uploaded to the default datastore (content-addressed); a URI is referenced where it is. */
async function sourceOf(client: LatheClient, path: string, type: DataVersion['type'], baseDir: string, out: Output): Promise<CreateDataVersion['source']> {
  if (URI.test(path)) return { kind: 'uri', uri: path };
  const abs = resolve(baseDir, path);
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new Error(`data path ${abs} does not exist (give a local file or folder, or azureml://datastores/<datastore>/paths/<path>)`);
  const m = await dataManifest(abs, type === 'uri_file' ? 'uri_file' : 'uri_folder', 'data');
  const { snapshot } = await uploadSnapshot(client, m.files, m.absPaths, out, 'data files');
  return { kind: 'snapshot', snapshot_id: snapshot.id, path: abs, ...(m.fileName ? { file_name: m.fileName } : {}) };
}

function versionRef(o: { name: string; version?: string; label?: string }): { name: string; version: string } {
  const ref = parseAssetRef(o.name);
  if (ref) return ref;
  if (o.version) return { name: o.name, version: o.version };
  if (o.label === 'latest' || o.label === undefined) return { name: o.name, version: 'latest' };
  throw new Error(`data assets have no label '${o.label}': use --version N or --label latest`);
}

const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(6))) : String(v));

function details(v: DataVersion, check: DataCheck | null, lineage: DataLineage[]): string {
  const rows: string[][] = [
    ['Name:', v.name], ['Version:', String(v.version)], ['Type:', v.type], ['Path:', v.path], ['Description:', v.description ?? '-'],
    ['Files:', `${v.file_count} (${formatBytes(v.total_bytes)})`], ['Created:', `${formatTime(v.created_at)}${v.user ? ` by ${v.user}` : ''}`],
  ];
  if (Object.keys(v.tags).length) rows.push(['Tags:', Object.entries(v.tags).map(([k, x]) => `${k}=${x}`).join(', ')]);
  if (check) {
    rows.push(['Files now:', check.changed
      ? `CHANGED since registration: ${[...check.modified.map((p) => `modified ${p}`), ...check.added.map((p) => `added ${p}`), ...check.removed.map((p) => `removed ${p}`)].slice(0, 10).join(', ')}`
      : 'unchanged since registration']);
  }
  const producedBy = lineage.filter((l) => l.direction === 'output').map((l) => `${l.run_id} (output ${l.port})`);
  const readBy = lineage.filter((l) => l.direction === 'input').map((l) => `${l.run_id} (input ${l.port})`);
  rows.push(['Produced by:', producedBy.join(', ') || '-'], ['Read by:', readBy.join(', ') || '-']);
  let text = table(rows);
  if (v.table) {
    text += `\n\nTable: ${v.table.row_count} rows, ${v.table.columns.length} columns (${v.table.files.join(', ')})\n`;
    text += table([['COLUMN', 'TYPE', 'NULLS', 'MIN', 'MAX', 'MEAN', 'DISTINCT', 'TOP VALUES'],
      ...v.table.columns.map((c) => [c.name, c.type, String(c.nulls), cell(c.min), cell(c.max), cell(c.mean), `~${c.distinct_estimate}`, c.top_values.slice(0, 3).map((t) => `${t.value.slice(0, 20)} (${t.count})`).join(', ')])]);
  }
  return text;
}

export function dataCommands(program: Command, ctx: CommandContext): void {
  const data = program.command('data').description('Versioned data assets (as `az ml data`)');

  data.command('create')
    .description('Register a data asset version from an Azure ML data YAML or flags; versions auto-increment')
    .option('-f, --file <file>', 'Azure ML data YAML')
    .option('-n, --name <name>')
    .option('-p, --path <path>', 'a local file or folder (uploaded), azureml://datastores/<datastore>/paths/<path>, or an http(s) URL of a public file')
    .option('-t, --type <type>', 'uri_file, uri_folder or mltable (default uri_folder)')
    .option('-v, --version <n>', 'explicit version number')
    .option('-d, --description <text>')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .action(async (o: { file?: string; name?: string; path?: string; type?: string; version?: string; description?: string; tag?: string[] }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      let spec: Partial<DataYaml> = {};
      let baseDir = process.cwd();
      if (o.file) {
        spec = await loadSpecFile(o.file, DataYaml, 'data file', "a mapping with at least 'name' and 'path'");
        baseDir = dirname(resolve(o.file));
      }
      const name = o.name ?? spec.name;
      const path = o.path ?? spec.path;
      if (!name || !path) throw new Error('a data asset needs a name and a path: -f data.yml, or --name and --path');
      const type = (o.type ?? spec.type ?? 'uri_folder') as DataVersion['type'];
      if (!['uri_file', 'uri_folder', 'mltable'].includes(type)) throw new Error(`data type '${type}' is not supported; use uri_file, uri_folder or mltable`);
      const version = o.version ?? spec.version;
      const stringy = (r: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, String(v)]));
      const tags = { ...stringy(spec.tags), ...Object.fromEntries((o.tag ?? []).map((t) => [t.split('=')[0]!, t.split('=').slice(1).join('=')])) };
      const v = await client.call('createDataVersion', {
        params: { name },
        body: {
          type,
          source: await sourceOf(client, path, type, baseDir, out),
          ...(version !== undefined ? { version: Number(version) } : {}),
          ...(o.description ?? spec.description ? { description: o.description ?? spec.description } : {}),
          tags,
          properties: stringy(spec.properties),
        },
      });
      out.result(v, () => `Registered ${v.name}:${v.version}\n${details(v, null, [])}`);
    });

  data.command('list')
    .description('Data assets (latest versions), or the versions of one (--name)')
    .option('-n, --name <name>', "list this asset's versions")
    .option('--job <job>', 'the data versions a job read and produced (lineage)')
    .option('--max-results <n>', 'how many', '100')
    .action(async (o: { name?: string; job?: string; maxResults: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      if (o.job) {
        const { items } = await client.call('listRunData', { params: { run: o.job } });
        out.result(items, () => (items.length
          ? table([['DIRECTION', 'PORT', 'DATA', 'VERSION'], ...items.map((l) => [l.direction, l.port, l.name, String(l.version)])])
          : `Job ${o.job} read and produced no data assets.`));
        return;
      }
      const page = o.name
        ? await client.call('listDataVersions', { params: { name: o.name }, query: { max_results: Number(o.maxResults) } })
        : await client.call('listData', { query: { max_results: Number(o.maxResults) } });
      out.result(page.items, () => (page.items.length
        ? table([['NAME', 'VERSION', 'TYPE', 'FILES', 'SIZE', 'PATH', 'CREATED'], ...page.items.map((v) => [v.name, String(v.version), v.type, String(v.file_count), formatBytes(v.total_bytes), v.path, formatTime(v.created_at)])])
        : 'No data assets.'));
    });

  data.command('show')
    .description('One version: path, files, table profile, lineage, and whether its files changed since registration')
    .requiredOption('-n, --name <name>', 'name, or azureml:<name>:<version> / azureml:<name>@latest')
    .option('-v, --version <n>')
    .option('-l, --label <label>', 'latest')
    .option('--no-check', 'do not compare the files with the metadata snapshot')
    .action(async (o: { name: string; version?: string; label?: string; check: boolean }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const ref = versionRef(o);
      const v = await client.call('getDataVersion', { params: ref });
      const exact = { name: v.name, version: String(v.version) };
      const [check, lineage] = await Promise.all([
        o.check ? client.call('checkDataVersion', { params: exact }) : Promise.resolve(null),
        client.call('getDataLineage', { params: exact }),
      ]);
      out.result({ ...v, check, lineage: lineage.items }, () => details(v, check, lineage.items));
      if (check?.changed) out.warn(`the files of ${v.name}:${v.version} changed since it was registered; jobs will refuse it (register a new version)`);
    });

  data.command('download')
    .description("Download a version's files into <download-path>/<name>/")
    .requiredOption('-n, --name <name>', 'name, or azureml:<name>:<version> / azureml:<name>@latest')
    .option('-v, --version <n>')
    .option('-l, --label <label>', 'latest')
    .option('-p, --download-path <dir>', 'where to write', '.')
    .action(async (o: { name: string; version?: string; label?: string; downloadPath: string }, cmd: Command) => {
      const { client, out } = ctx.connect(cmd);
      const v = await client.call('getDataVersion', { params: versionRef(o) });
      const dest = join(resolve(o.downloadPath), v.name);
      if (/^https?:\/\//.test(v.path)) {
        // A public file registered by its URL: read where it is, as the server does.
        const r = await fetch(v.path, { signal: AbortSignal.timeout(60_000) });
        if (!r.ok || !r.body) throw new Error(`GET ${v.path}: HTTP ${r.status} ${r.statusText}`);
        await saveUnder(dest, v.files[0]!.path, r.body);
        out.note(`Downloaded ${v.name}:${v.version}: 1 file(s) from ${v.path}, to ${dest}`);
        if (out.format === 'json') out.result({ files: 1, bytes: v.total_bytes, path: dest }, () => '');
        return;
      }
      const m = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/.exec(v.path)!;
      const [ds, path] = [m[1]!, m[2]!];
      const local = /^LocalUpload\/([0-9a-f]{64})\//.exec(path);
      let res: { files: number; bytes: number };
      if (ds === 'workspaceblobstore' && local) {
        res = await downloadSnapshot(client, local[1]!, dest);
        if (v.type === 'uri_file') res = { files: 1, bytes: v.total_bytes };
      } else {
        const base = v.type === 'uri_file' ? path.slice(0, path.length - v.files[0]!.path.length) : path.endsWith('/') || path === '' ? path : `${path}/`;
        let bytes = 0;
        for (const f of v.files) {
          const r = await client.download('downloadDatastoreFile', { params: { name: ds }, query: { path: base + f.path } });
          await saveUnder(dest, f.path, r.body);
          bytes += f.size;
        }
        res = { files: v.files.length, bytes };
      }
      out.note(`Downloaded ${v.name}:${v.version}: ${res.files} file(s), ${formatBytes(res.bytes)}, to ${dest}`);
      if (out.format === 'json') out.result({ ...res, path: dest }, () => '');
    });
}
