import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DEFAULT_DATASTORE, DATASTORE_NAME_PATTERN, invalid, LatheError, notFound, secretRefName,
  type Datastore, type DatastoreFile, type DatastoreYaml,
} from '@lathe/contract';
import type { BlobStoreFactory, BlobStoreOptions, ListableBlobStore } from '../storage/blob-store.js';
import { isListable } from '../storage/blob-store.js';
import { openBlobStore } from '../storage/open-blob-store.js';
import type { DataDb } from '../data/data-tables.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import { checkDataPath, type DatastoreFiles } from './datastore-files.js';

/** What to hand the store factory for one datastore: its URL and options (credentials still as references). */
export function storeLocation(spec: DatastoreYaml): { url: string; options: BlobStoreOptions; refs: Record<string, string> } {
  const refs: Record<string, string> = {};
  for (const [k, v] of Object.entries((spec as { credentials?: Record<string, string> }).credentials ?? {})) refs[k] = secretRefName(v)!;
  switch (spec.type) {
    case 'local':
      if (!spec.path.startsWith('/')) throw invalid(`datastore '${spec.name}': path must be an absolute folder on the server host, got '${spec.path}'`);
      return { url: `file://${encodeURI(spec.path)}`, options: {}, refs };
    case 'azure_blob': {
      const endpoint = /^https?:\/\//.test(spec.endpoint) ? spec.endpoint.replace(/\/+$/, '') : `${spec.protocol}://${spec.account_name}.blob.${spec.endpoint}`;
      return { url: `azblob://${spec.account_name}/${spec.container_name}`, options: { endpoint }, refs };
    }
    case 's3':
      return { url: `s3://${spec.bucket}`, options: { endpoint: spec.endpoint, region: spec.region }, refs };
  }
}

/** A datastore's files through a listable blob store. */
class StoreFiles implements DatastoreFiles {
  constructor(private readonly store: ListableBlobStore, private readonly name: string, private readonly timeoutMs: number) {}

  /** Each page (each step of the store's iterator) must arrive in time; a long listing may take as long as it needs. */
  async list(prefix: string): Promise<DatastoreFile[]> {
    const out: DatastoreFile[] = [];
    const it = this.store.list(prefix)[Symbol.asyncIterator]();
    for (;;) {
      const n = await withDeadline(this.timeoutMs, `datastore '${this.name}': list ${prefix || '(root)'}`, () => it.next());
      if (n.done) return out;
      out.push({ path: n.value.key, size: n.value.size, etag: n.value.etag, modified_at: n.value.modifiedAt });
    }
  }

  async open(path: string): Promise<Readable> {
    return withDeadline(this.timeoutMs, `datastore '${this.name}': read ${path}`, () => this.store.get(path));
  }
}

/** Fail with UNAVAILABLE after `ms`, naming the operation, whatever the SDK does meanwhile. */
async function withDeadline<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new LatheError('UNAVAILABLE', `${what}: no answer within ${Math.round(ms / 1000)} s (is the endpoint reachable?)`)), ms);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function prefixed(name: string, op: string, err: unknown): LatheError {
  const e = err instanceof LatheError ? err : new LatheError('UNAVAILABLE', String((err as Error)?.message ?? err));
  const msg = e.message.startsWith(`datastore '${name}'`) ? e.message : `datastore '${name}': ${op} failed: ${e.message}`;
  return new LatheError(e.code, msg, e.details);
}

export interface DatastoreServiceOptions {
  db: DataDb;
  secrets: SecretService;
  /** Store factories by URL scheme (file, azblob, s3): the composition root's registry. */
  stores: Readonly<Record<string, BlobStoreFactory>>;
  /** workspaceblobstore for a workspace. */
  workspaceStore: (wsId: number) => DatastoreFiles;
  /** How long a connection check, a page of a listing, or the start of a read may take before it fails. */
  timeoutMs?: number;
}

/** Named connections to storage; credentials are secret references resolved only when a store is opened. */
export class DatastoreService {
  private readonly timeoutMs: number;

  constructor(private readonly o: DatastoreServiceOptions) {
    this.timeoutMs = o.timeoutMs ?? 6000;
  }

  private async spec(wsId: number, name: string): Promise<{ spec: DatastoreYaml; row: { user: string | null; created_at: number; updated_at: number; description: string | null; tags: string } }> {
    const row = await this.o.db.selectFrom('datastores').leftJoin('users', 'users.id', 'datastores.user_id')
      .select(['datastores.settings', 'datastores.created_at', 'datastores.updated_at', 'datastores.description', 'datastores.tags', 'users.name as user'])
      .where('datastores.workspace_id', '=', wsId).where('datastores.name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`datastore '${name}' not found`);
    return { spec: JSON.parse(row.settings) as DatastoreYaml, row: { ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at) } };
  }

  private async openStore(wsId: number, spec: DatastoreYaml): Promise<ListableBlobStore> {
    const loc = storeLocation(spec);
    const values = await this.o.secrets.resolve(wsId, Object.values(loc.refs), `datastore '${spec.name}'`);
    const credentials = Object.fromEntries(Object.entries(loc.refs).map(([k, n]) => [k, values[n]!]));
    const store = await openBlobStore(loc.url, this.o.stores as Record<string, BlobStoreFactory>, { ...loc.options, credentials, timeoutMs: 60_000 });
    if (!isListable(store)) throw new LatheError('FAILED_PRECONDITION', `datastore '${spec.name}': its store cannot list files`);
    return store;
  }

  /** The files of a datastore, by name. */
  async files(wsId: number, name: string): Promise<DatastoreFiles> {
    if (name === DEFAULT_DATASTORE) return this.o.workspaceStore(wsId);
    const { spec } = await this.spec(wsId, name);
    const files = new StoreFiles(await this.openStore(wsId, spec), name, this.timeoutMs);
    return {
      list: (prefix) => files.list(checkDataPath(prefix, `datastore '${name}'`)).catch((e: unknown) => { throw prefixed(name, 'list', e); }),
      open: (path) => files.open(checkDataPath(path, `datastore '${name}'`)).catch((e: unknown) => { throw prefixed(name, `read ${path}`, e); }),
    };
  }

  /** A `local` datastore's folder on the server host (jobs link it rather than copy); null for other kinds. */
  async localFolder(wsId: number, name: string): Promise<string | null> {
    const { spec } = await this.spec(wsId, name);
    return spec.type === 'local' ? spec.path : null;
  }

  async create(ws: WorkspaceRef, userId: number, spec: DatastoreYaml): Promise<Datastore> {
    if (!DATASTORE_NAME_PATTERN.test(spec.name)) throw invalid(`invalid datastore name '${spec.name}'`);
    if (spec.name === DEFAULT_DATASTORE) throw invalid(`'${DEFAULT_DATASTORE}' is the workspace's own blob store; it cannot be redefined`);
    // A local folder must exist already (the store itself would create it).
    if (spec.type === 'local') {
      storeLocation(spec);
      const info = await stat(spec.path).catch(() => undefined);
      if (!info?.isDirectory()) throw notFound(`datastore '${spec.name}': ${spec.path} is not a folder on the server host`);
    }
    // Check the connection now: wrong credentials or an unreachable endpoint fail here, named.
    try {
      const store = await this.openStore(ws.id, spec);
      await withDeadline(this.timeoutMs + 2000, `datastore '${spec.name}': connection check`, async () => {
        for await (const _ of store.list('')) break;
      });
    } catch (err) {
      throw prefixed(spec.name, 'connection check (list)', err);
    }
    const now = Date.now();
    const tags = JSON.stringify(Object.fromEntries(Object.entries(spec.tags ?? {}).map(([k, v]) => [k, String(v)])));
    const values = { type: spec.type, description: spec.description ?? null, tags, settings: JSON.stringify(spec), user_id: userId, updated_at: now };
    await this.o.db.insertInto('datastores').values({ workspace_id: ws.id, name: spec.name, created_at: now, ...values })
      .onConflict((oc) => oc.columns(['workspace_id', 'name']).doUpdateSet(values)).execute();
    return this.get(ws, spec.name);
  }

  async get(ws: WorkspaceRef, name: string): Promise<Datastore> {
    if (name === DEFAULT_DATASTORE) return this.defaultStore();
    const { spec, row } = await this.spec(ws.id, name);
    const { $schema: _s, name: _n, description: _d, tags: _t, ...settings } = spec;
    return { name, type: spec.type, description: row.description, tags: JSON.parse(row.tags) as Record<string, string>, settings, is_default: false, user: row.user ?? '', created_at: row.created_at, updated_at: row.updated_at };
  }

  private defaultStore(): Datastore {
    return { name: DEFAULT_DATASTORE, type: 'workspace', description: "The server's own blob store", tags: {}, settings: {}, is_default: true, user: '', created_at: 0, updated_at: 0 };
  }

  async list(ws: WorkspaceRef): Promise<Datastore[]> {
    const names = await this.o.db.selectFrom('datastores').select('name').where('workspace_id', '=', ws.id).orderBy('name').execute();
    return [this.defaultStore(), ...(await Promise.all(names.map((n) => this.get(ws, n.name))))];
  }

  /**
   * The datastore a cloud URI lives in: `wasbs://<container>@<account>.blob.<suffix>/<p>`
   * (or wasb, abfss is not supported) by account and container, `s3://<bucket>/<p>` by
   * bucket. Null when the URI is not one of these; NOT_FOUND when no datastore matches.
   */
  async locate(wsId: number, uri: string): Promise<{ datastore: string; path: string } | null> {
    let want: (spec: DatastoreYaml) => boolean;
    let path: string;
    let m = /^wasbs?:\/\/([^@/]+)@([^./]+)\.blob\.[^/]+\/?(.*)$/.exec(uri);
    if (m) {
      const [container, account] = [m[1]!, m[2]!];
      want = (s) => s.type === 'azure_blob' && s.account_name === account && s.container_name === container;
      path = m[3]!;
    } else if ((m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri))) {
      const bucket = m[1]!;
      want = (s) => s.type === 's3' && s.bucket === bucket;
      path = m[2]!;
    } else {
      return null;
    }
    const rows = await this.o.db.selectFrom('datastores').select(['name', 'settings']).where('workspace_id', '=', wsId).orderBy('name').execute();
    const hit = rows.find((r) => want(JSON.parse(r.settings) as DatastoreYaml));
    if (!hit) throw notFound(`no datastore holds ${uri}: create one for it (lathe datastore create -f datastore.yml, its credentials as secret references)`);
    return { datastore: hit.name, path: checkDataPath(decodeURI(path), uri) };
  }

  async listFiles(ws: WorkspaceRef, name: string, prefix: string, max = 10_000): Promise<DatastoreFile[]> {
    return (await (await this.files(ws.id, name)).list(prefix)).slice(0, max);
  }

  async download(ws: WorkspaceRef, name: string, path: string): Promise<Readable> {
    return (await this.files(ws.id, name)).open(checkDataPath(path, `datastore '${name}'`));
  }
}
