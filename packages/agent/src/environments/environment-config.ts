import { join } from 'node:path';

/** How this node builds and keeps environments; read from the agent's environment once, at the edge. */
export interface EnvironmentCacheConfig {
  /** Where built environments live, one folder per content hash, shared by every run on the node. */
  cacheDir: string;
  /** Evict least recently used environments beyond this total size. */
  maxBytes: number;
  /** Evict environments unused for this long. */
  maxAgeMs: number;
  /** A build running longer is stopped and fails the run. */
  buildTimeoutMs: number;
  /** The PATH used to find interpreters, npm and conda. */
  searchPath: string;
  /** Environment for build processes (pip, npm, conda). */
  buildEnv: Readonly<Record<string, string>>;
}

const number = (value: string | undefined, fallback: number) => {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
};

/**
 * `LATHE_ENV_CACHE_DIR` (default `<work root>/.cache/envs`), `LATHE_ENV_CACHE_MAX_GB`
 * (20), `LATHE_ENV_CACHE_MAX_AGE_DAYS` (30), `LATHE_ENV_BUILD_TIMEOUT_S` (3600).
 */
export function environmentConfigFromEnv(env: Readonly<Record<string, string | undefined>>, workRoot: string): EnvironmentCacheConfig {
  const buildEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !k.startsWith('LATHE_') && k !== 'VIRTUAL_ENV' && k !== 'PYTHONHOME' && k !== 'NODE_OPTIONS') buildEnv[k] = v;
  }
  Object.assign(buildEnv, { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1', npm_config_update_notifier: 'false' });
  return {
    cacheDir: env.LATHE_ENV_CACHE_DIR || join(workRoot, '.cache', 'envs'),
    maxBytes: number(env.LATHE_ENV_CACHE_MAX_GB, 20) * 1024 ** 3,
    maxAgeMs: number(env.LATHE_ENV_CACHE_MAX_AGE_DAYS, 30) * 86_400_000,
    buildTimeoutMs: number(env.LATHE_ENV_BUILD_TIMEOUT_S, 3600) * 1000,
    searchPath: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    buildEnv,
  };
}
