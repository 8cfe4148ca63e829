import { lstat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedEnvironment } from '@lathe/contract';
import type { BuildLog } from './build-process.js';
import type { EnvironmentCache } from './environment-cache.js';

/** A run's environment, ready: what to add to the job's process environment, and how to let go of it. */
export interface PreparedEnvironment {
  /** The environment's own variables (the job's own override them). */
  variables: Record<string, string>;
  /** Absolute folders to put first on PATH. */
  bin: string[];
  virtualEnv: string | null;
  condaPrefix: string | null;
  nodeModules: string | null;
  hash: string | null;
  dir: string | null;
  release(): Promise<void>;
}

function describe(r: ResolvedEnvironment): string {
  const what = r.name === null ? 'inline' : r.version === null ? r.name : `${r.name}:${r.version}`;
  const via = r.reference !== null && r.alias !== null ? ` (${r.reference}, through the alias ${r.alias})` : r.reference !== null ? ` (${r.reference})` : '';
  const source = r.source === 'curated' ? 'curated ' : '';
  return `${source}${what}${via}${r.hash ? `, sha256 ${r.hash.slice(0, 12)}` : ', host environment (nothing to build)'}`;
}

/**
 * Materialise the run's recorded environment on this node (from the cache, or built once)
 * and say in the run's log what was used. Null: the job named no environment.
 */
export async function prepareEnvironment(
  resolved: ResolvedEnvironment | null | undefined,
  cache: EnvironmentCache,
  o: { runId: string; log: BuildLog; signal?: AbortSignal; workingDir: string },
): Promise<PreparedEnvironment | null> {
  if (!resolved) return null;
  o.log.note(`environment: ${describe(resolved)}`);
  for (const note of resolved.notes) o.log.note(`environment: ${note}`);
  const built = await cache.materialize(resolved.spec, { runId: o.runId, log: o.log, ...(o.signal ? { signal: o.signal } : {}) });
  const abs = (p: string | null) => (p === null || built === null ? null : join(built.dir, p));
  const prepared: PreparedEnvironment = {
    variables: { ...resolved.spec.environment_variables },
    bin: built ? built.marker.activation.bin.map((b) => join(built.dir, b)) : [],
    virtualEnv: abs(built?.marker.activation.virtualEnv ?? null),
    condaPrefix: abs(built?.marker.activation.condaPrefix ?? null),
    nodeModules: abs(built?.marker.activation.nodeModules ?? null),
    hash: built?.hash ?? null,
    dir: built?.dir ?? null,
    release: () => built?.release() ?? Promise.resolve(),
  };
  // ES modules do not read NODE_PATH: a node_modules link in the working folder serves them.
  if (prepared.nodeModules !== null) {
    const link = join(o.workingDir, 'node_modules');
    if (!(await lstat(link).then(() => true, () => false))) await symlink(prepared.nodeModules, link, 'dir');
  }
  return prepared;
}

/** Apply a prepared environment to a job's process environment (after the job's own variables). */
export function activateEnvironment(env: Record<string, string>, prepared: PreparedEnvironment): void {
  if (prepared.bin.length > 0) env.PATH = [...prepared.bin, ...(env.PATH ? [env.PATH] : [])].join(':');
  if (prepared.virtualEnv !== null) {
    env.VIRTUAL_ENV = prepared.virtualEnv;
    delete env.PYTHONHOME;
  }
  if (prepared.condaPrefix !== null) env.CONDA_PREFIX = prepared.condaPrefix;
  if (prepared.nodeModules !== null) env.NODE_PATH = env.NODE_PATH ? `${prepared.nodeModules}:${env.NODE_PATH}` : prepared.nodeModules;
  if (prepared.hash !== null) env.LATHE_ENVIRONMENT_HASH = prepared.hash;
  if (prepared.dir !== null) env.LATHE_ENVIRONMENT_DIR = prepared.dir;
}
