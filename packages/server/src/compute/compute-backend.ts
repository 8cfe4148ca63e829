/** What a backend needs to start the agent for one run. */
export interface AgentLaunch {
  runId: string;
  workspace: string;
  /** Base URL of this server as the agent should reach it. */
  apiUrl: string;
  /** Run-scoped token: the agent can act on this run and its children only. */
  token: string;
}

/**
 * Where runs execute. A backend only decides how to start the agent; the same agent runs
 * everywhere. `start` returns as soon as the agent is launched.
 */
export interface ComputeBackend {
  start(launch: AgentLaunch): Promise<{ pid: number }>;
  /** Ask the agent to stop (it kills the job's process tree and reports Canceled). */
  stop(pid: number, runId: string): Promise<void>;
  /** Whether the agent for this run is still alive (after a server restart, for instance). */
  isAlive(pid: number, runId: string): Promise<boolean>;
}
