import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentLaunch, ComputeBackend } from '../compute-backend.js';

export interface LocalBackendOptions {
  /** argv that starts `lathe agent` (e.g. [node, /path/lathe.js, 'agent']). */
  agentCommand: readonly string[];
  /** Where agents make run folders. */
  workRoot: string;
  /** Where each agent's own diagnostic output goes (not the job's log). */
  agentLogDir: string;
  /** Environment passed to agents (the server's own, from the composition root). */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Extra folder(s) for the job's PYTHONPATH: the `lathe` Python module. */
  pythonPath?: string | undefined;
}

/**
 * Runs on the server host. The agent is started detached in its own session so it
 * outlives a server restart (the server reattaches on start); its own output goes to a file.
 */
export class LocalBackend implements ComputeBackend {
  constructor(private readonly options: LocalBackendOptions) {
    mkdirSync(options.workRoot, { recursive: true });
    mkdirSync(options.agentLogDir, { recursive: true });
  }

  async start(launch: AgentLaunch): Promise<{ pid: number }> {
    const [cmd, ...args] = this.options.agentCommand;
    const logFd = openSync(join(this.options.agentLogDir, `${launch.runId}.log`), 'a');
    try {
      const child = spawn(cmd!, [...args, '--run-id', launch.runId], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: {
          ...this.options.baseEnv,
          LATHE_API_URL: launch.apiUrl,
          LATHE_RUN_TOKEN: launch.token,
          LATHE_WORKSPACE: launch.workspace,
          LATHE_RUN_ID: launch.runId,
          LATHE_WORK_ROOT: this.options.workRoot,
          ...(this.options.pythonPath ? { LATHE_PYTHON_PATH: this.options.pythonPath } : {}),
        },
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!));
        child.once('error', reject);
      });
      child.unref();
      return { pid };
    } finally {
      closeSync(logFd);
    }
  }

  async stop(pid: number, runId: string): Promise<void> {
    if (await this.isAlive(pid, runId)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
  }

  async isAlive(pid: number, runId: string): Promise<boolean> {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // Guard against pid reuse after a reboot or a long outage: the agent's argv names its run.
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(runId)) return false;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return stat.split(') ')[1]?.[0] !== 'Z';
    } catch {
      return true; // no /proc: trust kill(0)
    }
  }
}
