/**
 * What a built environment changes in a job's process environment, stored in the cache
 * entry's marker with paths relative to the entry (so it needs no rebuild to apply).
 */
export interface Activation {
  /** Folders put first on PATH (`venv/bin`, `npm/node_modules/.bin`). */
  bin: string[];
  /** The venv: VIRTUAL_ENV, and PYTHONHOME removed. */
  virtualEnv: string | null;
  /** A conda prefix: CONDA_PREFIX. */
  condaPrefix: string | null;
  /** node_modules for Node scripts: NODE_PATH, and linked into the working folder for ES modules. */
  nodeModules: string | null;
}

export const NO_ACTIVATION: Activation = { bin: [], virtualEnv: null, condaPrefix: null, nodeModules: null };

export function mergeActivations(a: Activation, b: Activation): Activation {
  return {
    bin: [...a.bin, ...b.bin],
    virtualEnv: a.virtualEnv ?? b.virtualEnv,
    condaPrefix: a.condaPrefix ?? b.condaPrefix,
    nodeModules: a.nodeModules ?? b.nodeModules,
  };
}
