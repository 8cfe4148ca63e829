import type { Readable } from 'node:stream';
import {
  alreadyExists, DATA_NAME_PATTERN, DEFAULT_DATASTORE, invalid, LatheError, notFound, parseAssetRef, precondition,
  type CreateDataVersion, type DataCheck, type DataLineage, type DatastoreFile, type DataVersion, type DataVersionSummary,
  type JobSubmission, type ResolvedInput, type SnapshotFile, type TableProfile,
} from '@lathe/contract';
import type { DataDb, DataVersionsTable } from './data-tables.js';
import type { SnapshotService } from '../snapshots/snapshot-service.js';
import type { DatastoreService } from '../datastores/datastore-service.js';
import { checkDataPath, type DatastoreFiles } from '../datastores/datastore-files.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import { profileCsv } from './csv-profile.js';
import { profileParquet } from './parquet-profile.js';
import { mltableSource, tableFormatOf, type TableSource } from './mltable.js';
import { HttpFiles, isHttpOrigin, parseHttpUri } from './http-files.js';

type Row = DataVersionsTable & { user?: string | null };

/** `azureml://datastores/<ds>/paths/<p>` (and a job output's `azureml://jobs/<job>/outputs/<o>/paths/<p>`) → datastore + path. */
export function parseDataUri(uri: string): { datastore: string; path: string } | null {
  let m = /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/?(.*)$/.exec(uri);
  if (m) return { datastore: m[1]!, path: checkDataPath(decodeURI(m[2]!), uri) };
  m = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/?(.*))?$/.exec(uri);
  if (m) return { datastore: DEFAULT_DATASTORE, path: checkDataPath(`azureml/${m[1]}/${m[2]}/${m[3] ?? ''}`, uri) };
  return null;
}

/** Where a version lives, as users write it: a datastore URI, or the http(s) URL it was registered from. */
const dataUri = (ds: string, path: string) => (isHttpOrigin(ds) ? `${ds}/${encodeURI(path)}` : `azureml://datastores/${ds}/paths/${path}`);
const folderOf = (p: string) => (p === '' || p.endsWith('/') ? p : `${p}/`);

function diffFiles(then: DatastoreFile[], now: DatastoreFile[]): DataCheck {
  const before = new Map(then.map((f) => [f.path, f]));
  const after = new Map(now.map((f) => [f.path, f]));
  const added = [...after.keys()].filter((p) => !before.has(p));
  const removed = [...before.keys()].filter((p) => !after.has(p));
  const modified = [...after.values()].filter((f) => {
    const b = before.get(f.path);
    if (!b) return false;
    if (b.size !== f.size) return true;
    if (b.sha256 && f.sha256) return b.sha256 !== f.sha256;
    if (b.etag && f.etag) return b.etag !== f.etag;
    return false;
  }).map((f) => f.path);
  return { changed: added.length + removed.length + modified.length > 0, added, removed, modified };
}

export interface DataServiceOptions {
  db: DataDb;
  datastores: DatastoreService;
  snapshots: SnapshotService;
  pages: PageTokens;
  /** Scratch space for spooling Parquet files to profile (the reader needs random access). */
  tmpDir: string;
  /** How long an http(s) data path may take to answer (default 6 s). */
  httpTimeoutMs?: number;
}

/**
 * Data assets: versioned references to files on a datastore, with a metadata snapshot
 * taken at registration (files, sizes, hashes or ETags, a CSV table profile). Jobs read
 * them by name and version; lineage is kept both ways.
 */
export class DataService {
  constructor(private readonly o: DataServiceOptions) {}

  /** The files behind a recorded location: a datastore by name, or an http(s) origin. */
  private async filesOf(wsId: number, datastore: string): Promise<DatastoreFiles> {
    return isHttpOrigin(datastore) ? new HttpFiles(datastore, this.o.httpTimeoutMs ?? 6000) : this.o.datastores.files(wsId, datastore);
  }

  /** A data path given as a URI → where it lives: a datastore URI, an http(s) URL, or a datastore's wasbs:// / s3:// location. */
  private async locate(wsId: number, uri: string): Promise<{ datastore: string; path: string } | null> {
    return parseDataUri(uri) ?? parseHttpUri(uri) ?? (await this.o.datastores.locate(wsId, uri));
  }

  private checkName(name: string): void {
    if (!DATA_NAME_PATTERN.test(name)) throw invalid(`invalid data asset name '${name}': use letters, digits, _ . and -`);
  }

  private async row(wsId: number, name: string, version: string): Promise<Row> {
    let q = this.o.db.selectFrom('data_versions').leftJoin('users', 'users.id', 'data_versions.user_id').selectAll('data_versions').select('users.name as user')
      .where('data_versions.workspace_id', '=', wsId).where('data_versions.name', '=', name);
    if (version === 'latest') q = q.orderBy('data_versions.version', 'desc').limit(1);
    else if (/^\d+$/.test(version)) q = q.where('data_versions.version', '=', Number(version));
    else throw invalid(`data asset version '${version}' is not a number or 'latest'`);
    const row = await q.executeTakeFirst();
    if (!row) throw notFound(version === 'latest' ? `data asset '${name}' not found` : `data asset '${name}' version ${version} not found`);
    return row;
  }

  private summary(r: Row): DataVersionSummary {
    return {
      name: r.name, version: Number(r.version), type: r.type as DataVersion['type'], path: dataUri(r.datastore, r.path), datastore: r.datastore,
      description: r.description, tags: JSON.parse(r.tags) as Record<string, string>, properties: JSON.parse(r.properties) as Record<string, string>,
      file_count: Number(r.file_count), total_bytes: Number(r.total_bytes), run_id: r.run_id, user: r.user ?? '', created_at: Number(r.created_at),
    };
  }

  private full(r: Row): DataVersion {
    return { ...this.summary(r), files: JSON.parse(r.files) as DatastoreFile[], table: r.table_profile ? (JSON.parse(r.table_profile) as TableProfile) : null };
  }

  async get(wsId: number, name: string, version: string): Promise<DataVersion> {
    return this.full(await this.row(wsId, name, version));
  }

  async list(wsId: number, q: { name?: string | undefined; max_results?: number | undefined; page_token?: string | undefined }): Promise<{ items: DataVersionSummary[]; next_page_token: string | null }> {
    const size = q.max_results ?? 100;
    const scope = `data:${wsId}:${q.name ?? ''}`;
    const offset = offsetFrom(this.o.pages, scope, q.page_token);
    const db = this.o.db;
    let query = db.selectFrom('data_versions as d').leftJoin('users', 'users.id', 'd.user_id').selectAll('d').select('users.name as user').where('d.workspace_id', '=', wsId);
    if (q.name) query = query.where('d.name', 'like', `%${q.name}%`);
    query = query.where('d.version', '=', (eb) => eb.selectFrom('data_versions as l').select((e) => e.fn.max('l.version').as('v')).whereRef('l.workspace_id', '=', 'd.workspace_id').whereRef('l.name', '=', 'd.name'));
    const rows = await query.orderBy('d.name').limit(size).offset(offset).execute();
    return { items: rows.map((r) => this.summary(r)), next_page_token: nextToken(this.o.pages, scope, offset, rows.length, size) };
  }

  async listVersions(wsId: number, name: string, q: { max_results?: number | undefined; page_token?: string | undefined }): Promise<{ items: DataVersionSummary[]; next_page_token: string | null }> {
    await this.row(wsId, name, 'latest');
    const size = q.max_results ?? 100;
    const scope = `data-versions:${wsId}:${name}`;
    const offset = offsetFrom(this.o.pages, scope, q.page_token);
    const rows = await this.o.db.selectFrom('data_versions').leftJoin('users', 'users.id', 'data_versions.user_id').selectAll('data_versions').select('users.name as user')
      .where('data_versions.workspace_id', '=', wsId).where('data_versions.name', '=', name).orderBy('data_versions.version', 'desc').limit(size).offset(offset).execute();
    return { items: rows.map((r) => this.summary(r)), next_page_token: nextToken(this.o.pages, scope, offset, rows.length, size) };
  }

  /** The files a (datastore, path, type) names now; relative to the asset's root. */
  private async filesAt(store: DatastoreFiles, dsName: string, path: string, type: DataVersion['type']): Promise<DatastoreFile[]> {
    if (type === 'uri_file') {
      if (path === '' || path.endsWith('/')) throw invalid(`a uri_file data asset names a file, not a folder: ${dataUri(dsName, path)}`);
      const hit = (await store.list(path)).find((f) => f.path === path);
      if (!hit) throw notFound(`${dataUri(dsName, path)} does not exist`);
      return [{ ...hit, path: path.split('/').pop()! }];
    }
    const base = folderOf(path);
    const files = (await store.list(base)).map((f) => ({ ...f, path: f.path.slice(base.length) }));
    if (files.length === 0) throw notFound(`${dataUri(dsName, base)} does not exist or holds no files`);
    return files.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** The table of a uri_file CSV or Parquet file, or of an MLTable folder's `paths`; store paths. Null: nothing to profile. */
  private async tableOf(store: DatastoreFiles, path: string, type: DataVersion['type'], files: DatastoreFile[]): Promise<TableSource | null> {
    if (type === 'uri_file') {
      const format = tableFormatOf(path);
      return format ? { format, files: [path], delimiter: ',' } : null;
    }
    if (type !== 'mltable') return null;
    const base = folderOf(path);
    if (!files.some((f) => f.path === 'MLTable')) throw invalid(`an mltable data asset is a folder holding an MLTable file; ${base || '(root)'} has none`);
    const text = await streamText(await store.open(`${base}MLTable`), 1024 * 1024);
    const table = mltableSource(text, files.map((f) => f.path), base || '(root)');
    return table && { ...table, files: table.files.map((f) => base + f) };
  }

  /** Profile a table's files, streaming (CSV) or one row group at a time (Parquet). */
  private async profile(store: DatastoreFiles, table: TableSource): Promise<{ row_count: number; columns: TableProfile['columns'] }> {
    const streams = (async function* () {
      for (const f of table.files) yield await store.open(f);
    })();
    return table.format === 'parquet' ? profileParquet(streams, { tmpDir: this.o.tmpDir, names: table.files }) : profileCsv(streams, table.delimiter);
  }

  async create(wsId: number, userId: number, name: string, input: CreateDataVersion): Promise<DataVersion> {
    this.checkName(name);
    let datastore: string;
    let path: string;
    let snapshotId: string | null = null;
    if (input.source.kind === 'snapshot') {
      await this.o.snapshots.get(wsId, input.source.snapshot_id);
      snapshotId = input.source.snapshot_id;
      datastore = DEFAULT_DATASTORE;
      path = `LocalUpload/${snapshotId}/${input.type === 'uri_file' ? checkDataPath(input.source.file_name ?? '', 'file_name') : ''}`;
    } else {
      const parsed = await this.locate(wsId, input.source.uri);
      if (!parsed) {
        throw invalid(`data path '${input.source.uri}' is not supported here: use a local path, azureml://datastores/<datastore>/paths/<path>, an http(s):// URL of a public file, or a wasbs:// or s3:// location of a datastore`);
      }
      ({ datastore, path } = parsed);
      if (isHttpOrigin(datastore) && input.type !== 'uri_file') {
        throw invalid(`data path '${input.source.uri}': an http(s) URL is one file, so it can only be a uri_file (folders over http(s) are not supported: there is no listing; use a datastore)`);
      }
    }
    const store = await this.filesOf(wsId, datastore);
    const files = await this.filesAt(store, datastore, path, input.type);
    const source = await this.tableOf(store, path, input.type, files);
    let table: TableProfile | null = null;
    if (source) {
      const profile = await this.profile(store, source);
      table = { format: source.format, files: source.files.map((f) => (input.type === 'uri_file' ? f.split('/').pop()! : f.slice(folderOf(path).length))), ...profile };
    }
    const now = Date.now();
    const values = {
      workspace_id: wsId, name, type: input.type, datastore, path, description: input.description ?? null,
      tags: JSON.stringify(input.tags ?? {}), properties: JSON.stringify(input.properties ?? {}),
      files: JSON.stringify(files), file_count: files.length, total_bytes: files.reduce((n, f) => n + f.size, 0),
      table_profile: table ? JSON.stringify(table) : null, snapshot_id: snapshotId, run_id: input.run_id ?? null, user_id: userId, created_at: now,
    };
    const version = await this.o.db.transaction().execute(async (trx) => {
      const latest = await trx.selectFrom('data_versions').select((e) => e.fn.max('version').as('v')).where('workspace_id', '=', wsId).where('name', '=', name).executeTakeFirst();
      const next = input.version ?? Number(latest?.v ?? 0) + 1;
      if (input.version !== undefined) {
        const clash = await trx.selectFrom('data_versions').select('version').where('workspace_id', '=', wsId).where('name', '=', name).where('version', '=', next).executeTakeFirst();
        if (clash) throw alreadyExists(`data asset '${name}' version ${next} already exists; versions are immutable (leave out the version to get the next one)`);
      }
      await trx.insertInto('data_versions').values({ ...values, version: next }).execute();
      if (input.run_id) {
        await trx.insertInto('data_lineage').values({ workspace_id: wsId, run_id: input.run_id, name, version: next, direction: 'output', port: `${name}:${next}`, created_at: now })
          .onConflict((oc) => oc.doNothing()).execute();
      }
      return next;
    });
    return this.get(wsId, name, String(version));
  }

  /** Compare a version's files now with its metadata snapshot. */
  async check(wsId: number, name: string, version: string): Promise<DataCheck> {
    const r = await this.row(wsId, name, version);
    const then = JSON.parse(r.files) as DatastoreFile[];
    let now: DatastoreFile[];
    try {
      now = await this.filesAt(await this.filesOf(wsId, r.datastore), r.datastore, r.path, r.type as DataVersion['type']);
    } catch (err) {
      if (err instanceof LatheError && err.code === 'NOT_FOUND') now = [];
      else throw err;
    }
    return diffFiles(then, now);
  }

  async lineage(wsId: number, name: string, version: string): Promise<DataLineage[]> {
    const r = await this.row(wsId, name, version);
    const rows = await this.o.db.selectFrom('data_lineage').selectAll().where('workspace_id', '=', wsId).where('name', '=', name).where('version', '=', Number(r.version)).orderBy('created_at').execute();
    return rows.map((x) => ({ run_id: x.run_id, name: x.name, version: Number(x.version), direction: x.direction as 'input' | 'output', port: x.port, created_at: Number(x.created_at) }));
  }

  async runLineage(wsId: number, runId: string): Promise<DataLineage[]> {
    const rows = await this.o.db.selectFrom('data_lineage').selectAll().where('workspace_id', '=', wsId).where('run_id', '=', runId).orderBy('direction').orderBy('port').execute();
    return rows.map((x) => ({ run_id: x.run_id, name: x.name, version: Number(x.version), direction: x.direction as 'input' | 'output', port: x.port, created_at: Number(x.created_at) }));
  }

  /**
   * At submit: turn data-asset and datastore-URI inputs into snapshots the agent stages
   * (download or read-only), or, for a ro_mount of a local datastore, into a link the
   * agent makes to the files in place. A data asset whose files changed since
   * registration is refused.
   */
  async resolveInputs(wsId: number, job: JobSubmission): Promise<JobSubmission> {
    const inputs: Record<string, ResolvedInput> = {};
    for (const [port, input] of Object.entries(job.inputs)) {
      // The agent links what a linked input names: only the server may say what that is.
      if (input.kind === 'linked') throw invalid(`inputs.${port}: linked inputs are made by the server at submit; give a data asset or a datastore URI`);
      if (input.kind !== 'datastore') {
        inputs[port] = input;
        continue;
      }
      const ref = parseAssetRef(input.uri);
      if (ref) {
        const r = await this.row(wsId, ref.name, ref.version).catch((err: unknown) => {
          throw err instanceof LatheError && err.code === 'NOT_FOUND' ? notFound(`inputs.${port}: ${err.message}`) : err;
        });
        const label = `azureml:${r.name}:${r.version}`;
        const type = r.type as DataVersion['type'];
        if (input.type !== type && !(input.type === 'uri_folder' && type === 'mltable')) {
          throw invalid(`inputs.${port}: ${label} is a ${type}, but the input says type ${input.type}`);
        }
        let snapshotId = r.snapshot_id;
        const fileName = type === 'uri_file' ? r.path.split('/').pop() : undefined;
        const common = { type: input.type, source: label, data_asset: { name: r.name, version: Number(r.version) }, ...(fileName ? { file_name: fileName } : {}) };
        if (!r.path.startsWith('LocalUpload/')) {
          const diff = await this.check(wsId, r.name, String(r.version));
          if (diff.changed) {
            const list = [...diff.modified.map((p) => `modified ${p}`), ...diff.added.map((p) => `added ${p}`), ...diff.removed.map((p) => `removed ${p}`)];
            throw precondition(`inputs.${port}: the files of data asset ${label} changed since it was registered (${list.slice(0, 5).join(', ')}${list.length > 5 ? `, … ${list.length} in all` : ''}); register a new version`, diff);
          }
          const link = input.mode === 'ro_mount' ? await this.linkTarget(wsId, r.datastore, r.path) : null;
          if (link) {
            inputs[port] = { kind: 'linked', mode: 'ro_mount', ...link, ...common };
            continue;
          }
          if (!snapshotId) {
            snapshotId = await this.copyToSnapshot(wsId, r.datastore, r.path, type);
            await this.o.db.updateTable('data_versions').set({ snapshot_id: snapshotId }).where('workspace_id', '=', wsId).where('name', '=', r.name).where('version', '=', Number(r.version)).execute();
          }
        }
        inputs[port] = { kind: 'data', mode: input.mode, snapshot_id: snapshotId!, ...common };
        continue;
      }
      const parsed = await this.locate(wsId, input.uri).catch((err: unknown) => {
        throw err instanceof LatheError ? new LatheError(err.code, `inputs.${port}: ${err.message}`) : err;
      });
      if (!parsed) throw invalid(`inputs.${port}: '${input.uri}' is not a data asset (azureml:<name>:<version>, azureml:<name>@latest), a datastore URI (azureml://datastores/<ds>/paths/<p>), an http(s):// URL of a public file or a wasbs:// or s3:// location of a datastore`);
      const type = input.type === 'uri_file' ? 'uri_file' : 'uri_folder';
      if (isHttpOrigin(parsed.datastore) && type !== 'uri_file') {
        throw invalid(`inputs.${port}: '${input.uri}' is an http(s) URL, which is one file: use type uri_file (folders over http(s) are not supported: there is no listing)`);
      }
      const fileName = type === 'uri_file' ? parsed.path.split('/').pop() : undefined;
      const common = { type: input.type, source: input.uri, ...(fileName ? { file_name: fileName } : {}) };
      const link = input.mode === 'ro_mount' ? await this.linkTarget(wsId, parsed.datastore, parsed.path) : null;
      if (link) {
        // Refuse a path that is not there now rather than fail in the agent.
        await this.filesAt(await this.filesOf(wsId, parsed.datastore), parsed.datastore, parsed.path, type).catch((err: unknown) => {
          throw err instanceof LatheError ? new LatheError(err.code, `inputs.${port}: ${err.message}`) : err;
        });
        inputs[port] = { kind: 'linked', mode: 'ro_mount', ...link, ...common };
        continue;
      }
      const snapshotId = await this.copyToSnapshot(wsId, parsed.datastore, parsed.path, type).catch((err: unknown) => {
        throw err instanceof LatheError ? new LatheError(err.code, `inputs.${port}: ${err.message}`) : err;
      });
      inputs[port] = { kind: 'data', mode: input.mode, snapshot_id: snapshotId, ...common };
    }
    return { ...job, inputs };
  }

  /**
   * Where a ro_mount input can be linked rather than copied: a `local` datastore's folder
   * and the path in it (already checked not to leave it). Null for every other store.
   */
  private async linkTarget(wsId: number, datastore: string, path: string): Promise<{ root: string; path: string; datastore: string } | null> {
    if (isHttpOrigin(datastore) || datastore === DEFAULT_DATASTORE) return null;
    const root = await this.o.datastores.localFolder(wsId, datastore);
    return root === null ? null : { root, path: path.replace(/\/+$/, ''), datastore };
  }

  /** Lineage rows for the data versions a new run reads. */
  async recordInputs(wsId: number, runId: string, job: JobSubmission): Promise<void> {
    const now = Date.now();
    for (const [port, input] of Object.entries(job.inputs)) {
      if ((input.kind !== 'data' && input.kind !== 'linked') || !input.data_asset) continue;
      await this.o.db.insertInto('data_lineage').values({ workspace_id: wsId, run_id: runId, name: input.data_asset.name, version: input.data_asset.version, direction: 'input', port, created_at: now })
        .onConflict((oc) => oc.doNothing()).execute();
    }
  }

  /** When a job completes: outputs that declare a name become data asset versions. */
  async registerOutputs(wsId: number, userId: number, runId: string, job: JobSubmission): Promise<DataVersion[]> {
    const made: DataVersion[] = [];
    for (const [port, out] of Object.entries(job.outputs)) {
      if (!out.name) continue;
      const v = await this.create(wsId, userId, out.name, {
        type: out.type, version: out.version, description: out.description ?? `Output '${port}' of job ${runId}`, run_id: runId,
        source: { kind: 'uri', uri: dataUri(DEFAULT_DATASTORE, `azureml/${runId}/${port}/${out.type === 'uri_file' ? port : ''}`) },
      });
      await this.o.db.updateTable('data_lineage').set({ port }).where('run_id', '=', runId).where('direction', '=', 'output').where('port', '=', `${v.name}:${v.version}`).execute();
      made.push(v);
    }
    return made;
  }

  /**
   * Copy a datastore path into a content-addressed snapshot: each file streams into the
   * blob store, which hashes it on the way and files it under that hash.
   */
  private async copyToSnapshot(wsId: number, ds: string, path: string, type: DataVersion['type']): Promise<string> {
    const store = await this.filesOf(wsId, ds);
    const files = await this.filesAt(store, ds, path, type);
    const base = type === 'uri_file' ? path.slice(0, path.length - files[0]!.path.length) : folderOf(path);
    const manifest: SnapshotFile[] = [];
    for (const f of files) {
      if (f.sha256) {
        const missing = await this.o.snapshots.missing(wsId, [f.sha256]);
        if (missing.length === 0) {
          manifest.push({ path: f.path, sha256: f.sha256, size: f.size });
          continue;
        }
      }
      const got = await this.o.snapshots.uploadStreamed(wsId, await store.open(base + f.path));
      manifest.push({ path: f.path, sha256: got.sha256, size: got.size });
    }
    return (await this.o.snapshots.create(wsId, manifest)).id;
  }
}

async function streamText(stream: Readable, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    parts.push(c as Buffer);
    n += (c as Buffer).length;
    if (n > max) throw invalid('MLTable file is larger than 1 MiB');
  }
  return Buffer.concat(parts).toString('utf8');
}
