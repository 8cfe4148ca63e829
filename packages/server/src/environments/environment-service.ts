import { createHash } from 'node:crypto';
import {
  alreadyExists, canonicalJson, EnvironmentDefinition, environmentBuildKey, integerVersion, invalid, JobSubmission,
  normalizeEnvironment, notFound, parseEnvironmentReference, precondition,
  type CreateEnvironment, type Environment, type EnvironmentAlias, type EnvironmentSpec, type ResolvedEnvironment, type Run,
} from '@lathe/contract';
import type { Db } from '../db/database.js';
import type { WorkspaceRef } from '../workspaces/workspace-service.js';
import { nextToken, offsetFrom, type PageTokens } from '../paging/page-tokens.js';
import type { EnvironmentDb, EnvironmentsTable } from './environment-tables.js';
import type { AliasMap } from './alias-map.js';
import { CURATED_ENVIRONMENTS, type CuratedEnvironment } from './curated.js';

/** sha256 of what a node builds for this spec; null when there is nothing to build. */
export function environmentHash(spec: EnvironmentSpec): string | null {
  const key = environmentBuildKey(spec);
  return key === null ? null : createHash('sha256').update(key).digest('hex');
}

export interface EnvironmentServiceOptions {
  db: Db;
  pages: PageTokens;
  aliases: AliasMap;
  curated?: readonly CuratedEnvironment[];
  /** Submits a job; the composition root wires it to RunService.submit (used by `build`). */
  submitJob: (ws: WorkspaceRef, userId: number, job: JobSubmission) => Promise<Run>;
}

interface Found {
  env: Environment;
  source: 'workspace' | 'curated';
  alias: string | null;
}

type Row = EnvironmentsTable & { user_name: string | null };

/**
 * Environment versions of a workspace, the curated ones shipped with Lathe, the alias
 * map, and resolving a job's `environment` into the spec and hash its run records.
 */
export class EnvironmentService {
  private readonly db: EnvironmentDb;
  private readonly curated: ReadonlyMap<string, Environment>;

  constructor(private readonly o: EnvironmentServiceOptions) {
    this.db = o.db.withTables<{ environments: EnvironmentsTable }>();
    this.curated = new Map((o.curated ?? CURATED_ENVIRONMENTS).map((c) => {
      const { spec } = normalizeEnvironment(c.definition);
      const env: Environment = {
        name: c.name, version: c.version, description: c.description, tags: { 'lathe.curated': 'true' }, curated: true,
        hash: environmentHash(spec), spec, definition: c.definition as Record<string, unknown>, created_at: 0, created_by: null,
      };
      return [c.name.toLowerCase(), env];
    }));
  }

  async create(ws: WorkspaceRef, userId: number, input: CreateEnvironment): Promise<Environment> {
    if (this.curated.has(input.name.toLowerCase())) {
      throw alreadyExists(`'${input.name}' is a curated environment shipped with Lathe; choose another name`);
    }
    const { spec } = normalizeEnvironment(input);
    const hash = environmentHash(spec);
    const { version: given, ...rest } = input;
    const definition = canonicalJson(rest);
    // Only the version is decided inside the transaction: on SQLite another query outside
    // it would wait for the one connection the transaction holds.
    const version = await this.db.transaction().execute(async (trx): Promise<number> => {
      const rows = await trx.selectFrom('environments').select(['version', 'definition']).where('workspace_id', '=', ws.id).where('name', '=', input.name).orderBy('version', 'desc').execute();
      const sameAs = (r: { definition: string }) => {
        const { version: _v, ...other } = JSON.parse(r.definition) as Record<string, unknown>;
        return canonicalJson(other) === definition;
      };
      let version: number;
      if (given !== undefined) {
        version = integerVersion(given, `environment '${input.name}'`);
        const existing = rows.find((r) => Number(r.version) === version);
        if (existing) {
          if (sameAs(existing)) return version;
          throw alreadyExists(`environment '${input.name}' version ${version} already exists with a different definition; versions never change (omit version to create the next one)`);
        }
      } else {
        const latest = rows[0];
        // An unchanged definition is not a new version: `environment create` can be repeated.
        if (latest && sameAs(latest)) return Number(latest.version);
        version = Number(latest?.version ?? 0) + 1;
      }
      await trx.insertInto('environments').values({
        workspace_id: ws.id,
        name: input.name,
        version,
        description: input.description ?? null,
        tags: JSON.stringify(Object.fromEntries(Object.entries(input.tags ?? {}).map(([k, v]) => [k, String(v)]))),
        definition: JSON.stringify({ ...input, version }),
        spec: JSON.stringify(spec),
        hash,
        user_id: userId,
        created_at: Date.now(),
      }).execute();
      return version;
    });
    return this.get(ws, input.name, String(version));
  }

  async get(ws: WorkspaceRef, name: string, versionText: string): Promise<Environment> {
    const version = versionText === 'latest' ? null : integerVersion(versionText, `environment '${name}'`);
    const found = await this.findInWorkspace(ws.id, name, version);
    if (found) return found;
    const curated = this.curated.get(name.toLowerCase());
    if (curated && (version === null || version === curated.version)) return curated;
    throw notFound(await this.notFoundMessage(ws.id, name, version));
  }

  async list(ws: WorkspaceRef, query: { name?: string | undefined; curated?: 'true' | 'false' | undefined; max_results?: number | undefined; page_token?: string | undefined }): Promise<{ items: Environment[]; next_page_token: string | null }> {
    const size = query.max_results ?? 100;
    const scope = `environments:${ws.id}:${query.name ?? ''}:${query.curated ?? ''}`;
    const offset = offsetFrom(this.o.pages, scope, query.page_token);
    const curated = query.curated === 'false'
      ? []
      : [...this.curated.values()].filter((c) => query.name === undefined || c.name.toLowerCase() === query.name.toLowerCase());
    let q = this.selectRows().where('e.workspace_id', '=', ws.id);
    if (query.name !== undefined) {
      q = q.where('e.name', '=', query.name).orderBy('e.version', 'desc');
    } else {
      q = q.where((eb) => eb('e.version', '=', eb.selectFrom('environments as l').select((s) => s.fn.max('l.version').as('v')).whereRef('l.workspace_id', '=', 'e.workspace_id').whereRef('l.name', '=', 'e.name')))
        .orderBy('e.name');
    }
    const fromCurated = curated.slice(offset, offset + size);
    const dbOffset = Math.max(0, offset - curated.length);
    const rows = fromCurated.length < size ? await q.limit(size - fromCurated.length).offset(dbOffset).execute() : [];
    const items = [...fromCurated, ...rows.map((r) => this.toEnvironment(r))];
    return { items, next_page_token: nextToken(this.o.pages, scope, offset, items.length, size) };
  }

  async aliases(): Promise<{ items: EnvironmentAlias[]; file: string | null }> {
    return { items: await this.o.aliases.entries(), file: this.o.aliases.file };
  }

  /**
   * A job's `environment` as its run records it: a reference (workspace, curated, or an
   * Azure ML name through the alias map) or an inline definition, normalised and hashed.
   * Null when the job names none (the host environment).
   */
  async resolve(wsId: number, environment: unknown, compute: string): Promise<ResolvedEnvironment | null> {
    if (environment === undefined || environment === null) return null;
    let resolved: ResolvedEnvironment;
    if (typeof environment === 'string') {
      const found = await this.lookup(wsId, environment, true);
      resolved = {
        reference: environment,
        source: found.source,
        name: found.env.name,
        version: found.env.version,
        alias: found.alias,
        hash: found.env.hash,
        spec: found.env.spec,
        notes: normalizeEnvironment(found.env.definition as EnvironmentDefinition).notes,
      };
    } else if (typeof environment === 'object' && !Array.isArray(environment)) {
      const def = parseInline(environment as Record<string, unknown>);
      const { spec, notes } = normalizeEnvironment(def);
      resolved = { reference: null, source: 'inline', name: def.name ?? null, version: null, alias: null, hash: environmentHash(spec), spec, notes };
    } else {
      throw invalid('environment: expected a reference (azureml:name@latest) or a mapping');
    }
    if (resolved.spec.build_context !== null) {
      const what = resolved.name ? `environment '${resolved.name}'` : 'the environment';
      throw precondition(`${what} has build: ${resolved.spec.build_context} (a Docker build context), which needs a container runtime, and compute '${compute}' has none; use a conda_file, pip_requirements or an image instead`);
    }
    return resolved;
  }

  /** Materialise an environment on a compute now: a short run whose log is the build log. */
  async build(ws: WorkspaceRef, userId: number, name: string, versionText: string, compute: string): Promise<Run> {
    const env = await this.get(ws, name, versionText);
    if (env.hash === null) {
      throw precondition(`environment '${env.name}' version ${env.version} has nothing to build (no Python or npm packages): jobs using it run in the host environment`);
    }
    const ref = `${env.name}:${env.version}`;
    return this.o.submitJob(ws, userId, JobSubmission.parse({
      experiment_name: 'environment-builds',
      display_name: `build ${ref}`,
      command: `echo "environment ${ref} (sha256 ${env.hash.slice(0, 12)}) is ready on this node"`,
      environment: `azureml:${ref}`,
      compute,
      tags: { 'lathe.environment.build': ref },
    }));
  }

  private async lookup(wsId: number, reference: string, followAliases: boolean): Promise<Found> {
    const ref = parseEnvironmentReference(reference);
    if (ref.label !== null && ref.label !== 'latest') {
      throw invalid(`environment reference '${reference}': only the label 'latest' exists here (or give a version)`);
    }
    if (ref.kind === 'workspace') {
      const env = await this.findInWorkspace(wsId, ref.name, ref.version);
      if (env) return { env, source: 'workspace', alias: null };
      if (ref.version !== null && (await this.versionsOf(wsId, ref.name)).length > 0) throw notFound(await this.notFoundMessage(wsId, ref.name, ref.version));
    }
    const curated = this.curated.get(ref.name.toLowerCase());
    if (curated) {
      const wanted = ref.kind === 'workspace' ? ref.version : null;
      if (wanted !== null && wanted !== curated.version) throw notFound(`curated environment '${curated.name}' has version ${curated.version} only (asked for ${wanted})`);
      return { env: curated, source: 'curated', alias: null };
    }
    if (followAliases) {
      const alias = (await this.o.aliases.lookup(ref.name)) ?? (ref.kind === 'registry' ? await this.o.aliases.lookup(`AzureML-${ref.name}`) : undefined);
      if (alias) {
        try {
          return { ...(await this.lookup(wsId, alias.target, false)), alias: alias.alias };
        } catch (err) {
          throw precondition(`environment '${reference}' maps to '${alias.target}' in the alias map (${alias.source}), which does not resolve: ${(err as Error).message}`);
        }
      }
    }
    throw notFound(await this.unknownMessage(wsId, reference));
  }

  private selectRows() {
    return this.db.selectFrom('environments as e').leftJoin('users as u', 'u.id', 'e.user_id').selectAll('e').select('u.name as user_name');
  }

  private async findInWorkspace(wsId: number, name: string, version: number | null): Promise<Environment | undefined> {
    let q = this.selectRows().where('e.workspace_id', '=', wsId).where('e.name', '=', name);
    q = version === null ? q.orderBy('e.version', 'desc').limit(1) : q.where('e.version', '=', version);
    const row = await q.executeTakeFirst();
    return row ? this.toEnvironment(row) : undefined;
  }

  private async versionsOf(wsId: number, name: string): Promise<number[]> {
    const rows = await this.db.selectFrom('environments').select('version').where('workspace_id', '=', wsId).where('name', '=', name).orderBy('version').execute();
    return rows.map((r) => Number(r.version));
  }

  private async notFoundMessage(wsId: number, name: string, version: number | null): Promise<string> {
    const versions = await this.versionsOf(wsId, name);
    if (versions.length > 0) return `environment '${name}' version ${version} not found (versions: ${versions.join(', ')})`;
    return this.unknownMessage(wsId, name);
  }

  private async unknownMessage(wsId: number, reference: string): Promise<string> {
    const names = await this.db.selectFrom('environments').select('name').distinct().where('workspace_id', '=', wsId).orderBy('name').limit(50).execute();
    const aliases = await this.o.aliases.entries();
    const file = this.o.aliases.file;
    return [
      `environment '${reference}' is not known here: it is not an environment of this workspace, not a curated Lathe environment and not in the alias map.`,
      `Curated: ${[...this.curated.values()].map((c) => c.name).join(', ')}.`,
      `Workspace: ${names.map((n) => n.name).join(', ') || 'none'}.`,
      `Aliases: ${aliases.map((a) => a.alias).join(', ')}.`,
      `Create it with \`lathe environment create -f env.yml\`${file ? `, or map the name in ${file} (e.g. {"AzureML-name": "lathe-sklearn"})` : ''}.`,
    ].join(' ');
  }

  private toEnvironment(r: Row): Environment {
    return {
      name: r.name,
      version: Number(r.version),
      description: r.description,
      tags: JSON.parse(r.tags) as Record<string, string>,
      curated: false,
      hash: r.hash,
      spec: JSON.parse(r.spec) as EnvironmentSpec,
      definition: JSON.parse(r.definition) as Record<string, unknown>,
      created_at: Number(r.created_at),
      created_by: r.user_name,
    };
  }
}

/** An inline `environment:` mapping, validated with errors that name the key. */
function parseInline(value: Record<string, unknown>): EnvironmentDefinition {
  if (typeof value.conda_file === 'string') {
    throw invalid(`environment.conda_file: '${value.conda_file}' is a path; the CLI sends the file's content (submit through \`lathe job create\`, or inline the conda file)`);
  }
  if (typeof value.pip_requirements === 'string') {
    throw invalid(`environment.pip_requirements: '${value.pip_requirements}' is a path; send the requirement lines (\`lathe job create\` reads the file)`);
  }
  const parsed = EnvironmentDefinition.safeParse(typeof value.pip_find_links === 'string' ? { ...value, pip_find_links: [value.pip_find_links] } : value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['environment', ...issue.path.map(String)].join('.');
    throw invalid(`${path}: ${issue.message}`, { issues: parsed.error.issues.map((i) => ({ path: ['environment', ...i.path.map(String)].join('.'), message: i.message })) });
  }
  return parsed.data;
}
