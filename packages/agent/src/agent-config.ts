/** What the agent needs; read from its environment once, at the edge. */
export interface AgentConfig {
  apiUrl: string;
  token: string;
  workspace: string;
  runId: string;
  /** Folder for run folders on this node. */
  workRoot: string;
  /** Content-addressed cache of snapshot blobs on this node. */
  cacheDir: string;
  /** Folder with the `lathe` Python module. */
  pythonPath?: string | undefined;
  heartbeatMs: number;
  /** Time between SIGTERM and SIGKILL when stopping the job. */
  killGraceMs: number;
  keepRunDir: boolean;
  /** The environment the job inherits (the node's own). */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

export function agentConfigFromEnv(env: Readonly<Record<string, string | undefined>>, runIdArg?: string): AgentConfig {
  const need = (k: string) => {
    const v = env[k];
    if (!v) throw new Error(`lathe agent: ${k} is not set (the agent is started by a compute backend, not by hand)`);
    return v;
  };
  const workRoot = need('LATHE_WORK_ROOT');
  return {
    apiUrl: need('LATHE_API_URL'),
    token: need('LATHE_RUN_TOKEN'),
    workspace: need('LATHE_WORKSPACE'),
    runId: runIdArg ?? need('LATHE_RUN_ID'),
    workRoot,
    cacheDir: env.LATHE_CACHE_DIR ?? `${workRoot}/.cache/blobs`,
    pythonPath: env.LATHE_PYTHON_PATH,
    heartbeatMs: Number(env.LATHE_HEARTBEAT_MS ?? 5000),
    killGraceMs: Number(env.LATHE_KILL_GRACE_MS ?? 5000),
    keepRunDir: env.LATHE_KEEP_RUN_DIRS === '1',
    baseEnv: env,
  };
}
