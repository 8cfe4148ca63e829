/**
 * Environments: the Azure ML environment YAML (what users write), the definition the
 * CLI sends once file references are inlined, the normalised spec that is hashed and
 * materialised on a node, and the resolved environment a run records.
 *
 * Normalisation lives here, in the isomorphic contract, so the server (which hashes and
 * stores a spec) and the agent (which names its cache entry by the same hash) cannot
 * disagree about what an environment is.
 */
import { z } from 'zod';
import { invalid } from '../errors.js';
import { NAME_PATTERN } from '../ids.js';
import { Millis, StringMap } from './common.js';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A conda environment file (`environment.yml`), as conda reads it. */
export const CondaFile = z.strictObject({
  name: z.string().optional(),
  channels: z.array(z.string()).optional(),
  dependencies: z.array(z.union([z.string(), z.strictObject({ pip: z.array(z.string()) })])).optional(),
  variables: z.record(z.string(), Scalar).optional(),
  prefix: z.string().optional(),
});
export type CondaFile = z.infer<typeof CondaFile>;

/** Azure ML's `build:` (a Docker build context): recorded; needs a container runtime to use. */
const BuildContext = z.strictObject({
  path: z.string().min(1),
  dockerfile_path: z.string().optional(),
});

const environmentKeys = {
  $schema: z.string().optional(),
  name: z.string().regex(NAME_PATTERN, 'an environment name uses letters, digits, ".", "_" and "-", starting with a letter or digit').optional(),
  version: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
  tags: z.record(z.string(), Scalar).optional(),
  /** Recorded; a compute without a container runtime runs the job in the host environment. */
  image: z.string().optional(),
  build: BuildContext.optional(),
  /** A path to a conda environment file (relative to the YAML), or the file's content inline. */
  conda_file: z.union([z.string(), CondaFile]).optional(),
  os_type: z.enum(['linux', 'windows']).optional(),
  inference_config: z.record(z.string(), z.unknown()).optional(),
  // Lathe's own keys.
  /** Interpreter: a path (`/usr/bin/python3.11`), a command (`python3.12`) or a version (`"3.11"`). */
  python: z.union([z.string().min(1), z.number()]).optional(),
  /** pip requirement lines, or the path of a requirements file (relative to the YAML). */
  pip_requirements: z.union([z.string(), z.array(z.string())]).optional(),
  /** Let the venv see the interpreter's site packages (Debian's apt packages for /usr/bin/python3). */
  system_site_packages: z.boolean().optional(),
  /** npm dependencies for Node scripts: package name → version range, as in package.json. */
  npm: z.record(z.string(), z.string()).optional(),
  npm_registry: z.string().optional(),
  environment_variables: z.record(z.string(), Scalar).optional(),
  pip_index_url: z.string().optional(),
  /** Folders or URLs of wheels/sdists; without pip_index_url, pip then uses no index at all. */
  pip_find_links: z.union([z.string(), z.array(z.string())]).optional(),
};

/** The Azure ML CLI v2 environment YAML plus Lathe's keys. Unknown keys are errors. */
export const EnvironmentYaml = z.strictObject(environmentKeys);
export type EnvironmentYaml = z.infer<typeof EnvironmentYaml>;

/**
 * What crosses the wire: the YAML with its file references inlined by the CLI
 * (`conda_file` as content, `pip_requirements` as lines, local find-links absolute).
 */
export const EnvironmentDefinition = z.strictObject({
  ...environmentKeys,
  conda_file: CondaFile.optional(),
  pip_requirements: z.array(z.string()).optional(),
  pip_find_links: z.array(z.string()).optional(),
});
export type EnvironmentDefinition = z.infer<typeof EnvironmentDefinition>;

export const CreateEnvironment = EnvironmentDefinition.extend({
  name: z.string().regex(NAME_PATTERN, 'an environment name uses letters, digits, ".", "_" and "-", starting with a letter or digit'),
});
export type CreateEnvironment = z.infer<typeof CreateEnvironment>;

const PythonSpec = z.object({
  /** Path or command as given; null picks by `version`, else the node's default Python 3. */
  interpreter: z.string().nullable(),
  /** `X.Y` from `python: "3.11"` or a conda file's `python=3.11`. */
  version: z.string().nullable(),
  system_site_packages: z.boolean(),
  /** pip requirement lines, in order. */
  requirements: z.array(z.string()),
  index_url: z.string().nullable(),
  find_links: z.array(z.string()),
  /** Conda packages other than python and pip: these need a conda executable on the node. */
  conda: z.object({ channels: z.array(z.string()), packages: z.array(z.string()) }).nullable(),
});

/** The normalised spec: everything a node needs to materialise the environment. */
export const EnvironmentSpec = z.object({
  python: PythonSpec.nullable(),
  npm: z.object({ dependencies: StringMap, registry: z.string().nullable() }).nullable(),
  environment_variables: StringMap,
  image: z.string().nullable(),
  /** A Docker build context (path); set only to refuse it on computes without containers. */
  build_context: z.string().nullable(),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;

/** A registered environment version (or a curated one shipped with Lathe). */
export const Environment = z.object({
  name: z.string(),
  version: z.number().int(),
  description: z.string().nullable(),
  tags: StringMap,
  /** Shipped with Lathe (read-only), as opposed to created in this workspace. */
  curated: z.boolean(),
  /** sha256 of the build inputs; null when there is nothing to build (host environment). */
  hash: z.string().nullable(),
  spec: EnvironmentSpec,
  /** The definition as submitted. */
  definition: z.record(z.string(), z.unknown()),
  created_at: Millis,
  created_by: z.string().nullable(),
});
export type Environment = z.infer<typeof Environment>;

export const ENVIRONMENT_SOURCES = ['workspace', 'curated', 'inline'] as const;

/** What a run records: which environment, which version, which hash, and why. */
export const ResolvedEnvironment = z.object({
  /** The reference as the job wrote it (`azureml:AzureML-sklearn-1.5@latest`); null for inline. */
  reference: z.string().nullable(),
  source: z.enum(ENVIRONMENT_SOURCES),
  name: z.string().nullable(),
  version: z.number().int().nullable(),
  /** The alias-map entry that led here, e.g. `AzureML-sklearn-1.5`. */
  alias: z.string().nullable(),
  hash: z.string().nullable(),
  spec: EnvironmentSpec,
  /** Things worth telling the user (an image that is recorded only, ...). */
  notes: z.array(z.string()),
});
export type ResolvedEnvironment = z.infer<typeof ResolvedEnvironment>;

export const ResolveEnvironmentRequest = z.object({
  /** A reference string or an inline definition, as a job's `environment` key. */
  environment: z.union([z.string(), z.record(z.string(), z.unknown())]),
  compute: z.string().default('local'),
});

export const ListEnvironmentsQuery = z.object({
  /** Every version of this name, newest first; without it, the latest version of each name. */
  name: z.string().optional(),
  /** Include the curated environments shipped with Lathe (default true). */
  curated: z.enum(['true', 'false']).optional(),
  max_results: z.coerce.number().int().min(1).max(1000).optional(),
  page_token: z.string().optional(),
});

export const EnvironmentAlias = z.object({
  /** The Azure ML name as jobs write it (`AzureML-sklearn-1.5`, `sklearn-1.5`). */
  alias: z.string(),
  /** A Lathe reference: a curated name or `azureml:name@latest` / `azureml:name:version`. */
  target: z.string(),
  source: z.enum(['shipped', 'user']),
});
export type EnvironmentAlias = z.infer<typeof EnvironmentAlias>;

export const BuildEnvironmentRequest = z.object({ compute: z.string().default('local') });

// ------------------------------------------------------------------ references

/** A parsed environment reference. `version` null means the latest. */
export type EnvironmentReference =
  | { kind: 'workspace'; name: string; version: number | null; label: string | null }
  | { kind: 'registry'; registry: string; name: string; version: string | null; label: string | null };

/**
 * Parse Azure ML's forms: `azureml:name:version`, `azureml:name@latest`, `name:version`,
 * `name@latest`, `azureml://registries/R/environments/N/versions/V` (or `/labels/latest`)
 * and `azureml://…/workspaces/W/environments/N/versions/V`.
 */
export function parseEnvironmentReference(ref: string): EnvironmentReference {
  const text = ref.trim();
  const bad = (why: string) => invalid(`environment reference '${ref}': ${why}`);
  if (text.startsWith('azureml://')) {
    const m = /\/environments\/([^/]+)(?:\/(versions|labels)\/([^/]+))?\/?$/.exec(text);
    if (!m) throw bad('expected azureml://registries/<registry>/environments/<name>/versions/<version> (or /labels/latest)');
    const [, name, kind, value] = m as unknown as [string, string, string | undefined, string | undefined];
    const version = kind === 'versions' ? value! : null;
    const label = kind === 'labels' ? value! : null;
    const registry = /^azureml:\/\/registries\/([^/]+)\//.exec(text)?.[1];
    if (registry !== undefined) return { kind: 'registry', registry, name, version, label: label ?? (version === null ? 'latest' : null) };
    return { kind: 'workspace', name, version: version === null ? null : integerVersion(version, ref), label: label ?? (version === null ? 'latest' : null) };
  }
  const body = text.startsWith('azureml:') ? text.slice('azureml:'.length) : text;
  const at = body.lastIndexOf('@');
  if (at > 0) return { kind: 'workspace', name: checkName(body.slice(0, at), ref), version: null, label: body.slice(at + 1) || 'latest' };
  const colon = body.lastIndexOf(':');
  if (colon > 0) return { kind: 'workspace', name: checkName(body.slice(0, colon), ref), version: integerVersion(body.slice(colon + 1), ref), label: null };
  return { kind: 'workspace', name: checkName(body, ref), version: null, label: 'latest' };
}

function checkName(name: string, ref: string): string {
  if (!NAME_PATTERN.test(name)) throw invalid(`environment reference '${ref}': '${name}' is not a valid environment name`);
  return name;
}

/** Lathe versions are integers that count up per name. */
export function integerVersion(value: string | number, where: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(`${where}: environment versions are whole numbers from 1 (got '${value}')`);
  return n;
}

// ------------------------------------------------------------------ normalisation

const PYTHON_DEP = /^python(?:\s*(==|=|>=|<=|>|<|~=|\s)\s*(\S+))?$/;
const PIP_DEP = /^pip(?:\s*(?:==|=|>=|<=|>|<|~=|\s)\s*\S+)?$/;

const isLocalPath = (p: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p);
const isAbsolute = (p: string) => p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p);

/**
 * The normalised spec of a definition, and notes for the user. Pure: file references
 * must already be inlined (the CLI does that). Throws INVALID_ARGUMENT for what cannot work.
 */
export function normalizeEnvironment(def: EnvironmentDefinition): { spec: EnvironmentSpec; notes: string[] } {
  const notes: string[] = [];
  const env: Record<string, string> = {};
  let version: string | null = null;
  let conda: { channels: string[]; packages: string[] } | null = null;
  const requirements: string[] = [];

  if (def.conda_file) {
    const packages: string[] = [];
    for (const dep of def.conda_file.dependencies ?? []) {
      if (typeof dep !== 'string') {
        requirements.push(...dep.pip.map((l) => l.trim()).filter((l) => l.length > 0));
        continue;
      }
      const text = dep.trim();
      const py = PYTHON_DEP.exec(text);
      if (py) {
        const [, op, ver] = py;
        const xy = ver ? /^(\d+)\.(\d+)/.exec(ver) : null;
        if (xy && (op === '=' || op === '==' || (op !== undefined && op.trim() === ''))) version = `${xy[1]}.${xy[2]}`;
        else if (ver) notes.push(`conda_file: '${text}' is not one version; the node's default Python 3 is used`);
        continue;
      }
      if (PIP_DEP.test(text)) continue; // pip comes with the interpreter
      packages.push(text);
    }
    if (packages.length > 0) conda = { channels: def.conda_file.channels ?? [], packages };
    for (const [k, v] of Object.entries(def.conda_file.variables ?? {})) env[k] = String(v);
  }
  requirements.push(...(def.pip_requirements ?? []).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#')));

  let interpreter: string | null = null;
  if (def.python !== undefined) {
    // YAML reads `python: 3.10` as the number 3.1.
    if (typeof def.python === 'number' && !/^\d+\.\d\d$/.test(String(def.python))) {
      throw invalid(`python: ${def.python} is a YAML number; write the version in quotes (python: "3.10")`);
    }
    const p = String(def.python).trim();
    if (/^\d+\.\d+$/.test(p)) {
      if (version !== null && version !== p) throw invalid(`python: '${p}' disagrees with the conda file's python=${version}`);
      version = p;
    } else {
      interpreter = p;
    }
  }
  const findLinks = def.pip_find_links ?? [];
  for (const f of findLinks) {
    if (isLocalPath(f) && !isAbsolute(f)) throw invalid(`pip_find_links: '${f}' is a relative path; give an absolute path or a URL (the CLI resolves paths relative to the YAML)`);
  }

  const wantsPython =
    def.conda_file !== undefined || def.pip_requirements !== undefined || def.python !== undefined ||
    def.system_site_packages !== undefined || def.pip_index_url !== undefined || def.pip_find_links !== undefined;
  const python = wantsPython
    ? {
      interpreter,
      version,
      system_site_packages: def.system_site_packages ?? false,
      requirements,
      index_url: def.pip_index_url ?? null,
      find_links: findLinks,
      conda,
    }
    : null;
  const npm = def.npm !== undefined || def.npm_registry !== undefined
    ? { dependencies: { ...(def.npm ?? {}) }, registry: def.npm_registry ?? null }
    : null;
  for (const [k, v] of Object.entries(def.environment_variables ?? {})) env[k] = String(v);

  const image = def.image ?? null;
  if (image !== null && (python !== null || npm !== null)) {
    notes.push(`image '${image}' is recorded; the environment is built on the host from its ${python ? 'Python' : 'npm'} packages`);
  } else if (image !== null) {
    notes.push(`the 'local' compute runs no containers: image '${image}' is recorded and the job runs in the host environment`);
  }
  if (def.os_type === 'windows') notes.push("os_type 'windows' is recorded; jobs run on the node's own operating system");
  if (def.inference_config !== undefined) notes.push('inference_config is recorded; it is not used by jobs');
  if (conda !== null) {
    notes.push(`conda packages (${conda.packages.join(', ')}) need a conda executable on the node that builds this environment`);
  }
  return {
    spec: { python, npm, environment_variables: env, image, build_context: def.build?.path ?? null },
    notes,
  };
}

/** JSON with object keys sorted at every level: one text per value, for hashing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Bumped when the way nodes build environments changes, so old cache entries are not reused. */
export const ENVIRONMENT_FORMAT = 1;

/**
 * The text whose sha256 names an environment's build: only what changes the build
 * (Python and npm packages), not variables or descriptions. Null: nothing to build.
 */
export function environmentBuildKey(spec: EnvironmentSpec): string | null {
  if (spec.python === null && spec.npm === null) return null;
  return canonicalJson({ format: ENVIRONMENT_FORMAT, python: spec.python, npm: spec.npm });
}
